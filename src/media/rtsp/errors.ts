// Why an RTSP session ended. Messages never contain credentials (URLs are redacted upstream).

export type RtspCloseCode =
  | 'eof' // server closed the connection
  | 'timeout' // no response / no media within timeoutMs (R-REC-4)
  | 'auth' // credentials missing or rejected
  | 'protocol' // unparseable data from the server
  | 'refused' // TCP connection refused
  | 'network' // other socket errors (unreachable, DNS, reset during connect)
  | 'rtsp-status' // a request got a non-2xx status
  | 'unsupported' // nothing we can play (no usable tracks, bad URL)
  | 'stopped' // stop() was called
  | 'internal'; // a bug, including an exception thrown by an event listener

export interface RtspCloseReason {
  code: RtspCloseCode;
  message: string;
}

export class RtspClientError extends Error {
  override readonly name = 'RtspClientError';
  constructor(
    readonly code: RtspCloseCode,
    message: string,
    /** RTSP status when code is 'rtsp-status' or 'auth'. */
    readonly statusCode?: number,
  ) {
    super(message);
  }

  get reason(): RtspCloseReason {
    return { code: this.code, message: this.message };
  }
}

/** Map a Node socket error to a close code. */
export function socketErrorCode(err: NodeJS.ErrnoException): RtspCloseCode {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'eof';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'network';
  }
}
