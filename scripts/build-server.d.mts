// Types of scripts/build-server.mjs (plain JavaScript: bin/xuncha.mjs imports it before tsx).
export declare const BUILD_DIR: string;
export declare const STAMP: string;
export declare function newestSourceMs(others?: string[]): number;
export declare function buildServer(extra?: string[]): Promise<number>;
export declare function serverBuildFresh(): boolean;
