// Types of scripts/demo-env.mjs (imported by test/e2e/demo-campaign.e2e.test.ts).
export declare const DEMO_ENV: Readonly<Record<'XUNCHA_SIM_ROOMS' | 'XUNCHA_SIM_PICTURE_FAULT' | 'XUNCHA_DEMO_PROBE', string>>;
