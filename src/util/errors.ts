// Errors a service raises on purpose. The API layer maps them to HTTP status codes; anything else
// is a 500 and is logged.
export type AppErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'locked'
  | 'totp_required'
  | 'import_invalid'
  | 'csrf'
  | 'too_many_requests'
  | 'password_change_required';

const STATUS: Record<AppErrorCode, number> = {
  invalid_input: 400,
  import_invalid: 400,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  unauthorized: 401,
  invalid_credentials: 401,
  totp_required: 401,
  locked: 423,
  csrf: 403,
  too_many_requests: 429,
  password_change_required: 403,
};

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
  get status(): number {
    return STATUS[this.code];
  }
}
