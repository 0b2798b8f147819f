// One registry of errors with stable codes. docs/errors.md lists the same codes; a test keeps them in step.

export type ErrorSpec = {
  readonly status: number;
  readonly message: string;
  /** Whether sending the same request again later can succeed. */
  readonly retryable: boolean;
};

export const ERRORS = {
  RS_ERR_INGEST_JSON: { status: 400, message: 'the body is not valid JSON', retryable: false },
  RS_ERR_INGEST_SCHEMA: { status: 400, message: 'the event does not match its contract', retryable: false },
  RS_ERR_INGEST_BATCH_EMPTY: { status: 400, message: 'the batch holds no events', retryable: false },
  RS_ERR_INGEST_BATCH_TOO_MANY: { status: 413, message: 'the batch holds more events than allowed', retryable: false },
  RS_ERR_INGEST_TOO_LARGE: { status: 413, message: 'the body is larger than allowed', retryable: false },
  RS_ERR_INGEST_MEDIA_TYPE: { status: 415, message: 'the content type is not supported', retryable: false },
  RS_ERR_AUTH_API_KEY: { status: 401, message: 'a valid x-api-key header is required', retryable: false },
  RS_ERR_BUS_UNAVAILABLE: { status: 503, message: 'the event bus did not acknowledge the event', retryable: true },
  RS_ERR_INGEST_BACKLOG: { status: 503, message: 'riskstream is behind: new events are refused until its readers catch up', retryable: true },
  RS_ERR_DECISION_NOT_FOUND: { status: 404, message: 'no decision is stored for this event', retryable: true },
  RS_ERR_STORAGE_UNAVAILABLE: { status: 503, message: 'storage is not reachable', retryable: true },
  RS_ERR_REDIS_UNAVAILABLE: { status: 503, message: 'Redis (sessions and shared state) is not reachable', retryable: true },
  RS_ERR_UNAUTHENTICATED: { status: 401, message: 'sign in first: no valid session', retryable: false },
  RS_ERR_FORBIDDEN: { status: 403, message: 'your role does not allow this', retryable: false },
  RS_ERR_LOGIN_FAILED: { status: 401, message: 'the user name or password is wrong', retryable: false },
  RS_ERR_TOTP_REQUIRED: { status: 401, message: 'a one-time code from the authenticator app is required', retryable: false },
  RS_ERR_TOTP_INVALID: { status: 401, message: 'the one-time code is wrong or expired', retryable: false },
  RS_ERR_TOTP_UNAVAILABLE: {
    status: 503,
    message: 'the second factor cannot be checked: the server cannot open the stored secret; an admin must restore the secrets key or reset the second factor',
    retryable: false,
  },
  RS_ERR_LOGIN_LOCKED: { status: 429, message: 'too many failed sign-ins; try again later', retryable: true },
  RS_ERR_RATE_LIMITED: { status: 429, message: 'too many requests; slow down', retryable: true },
  RS_ERR_CSRF: { status: 403, message: 'the x-csrf-token header is missing or does not match the session', retryable: false },
  RS_ERR_CONFLICT: { status: 409, message: 'the resource already exists or changed meanwhile', retryable: false },
  RS_ERR_BAD_REQUEST: { status: 400, message: 'the request is not valid', retryable: false },
  RS_ERR_MEDIA_TYPE: { status: 415, message: 'send the body as application/json', retryable: false },
  RS_ERR_BODY_TOO_LARGE: { status: 413, message: 'the body is larger than this route takes', retryable: false },
  RS_ERR_REQUEST_TIMEOUT: { status: 408, message: 'the request did not arrive whole in time', retryable: true },
  RS_ERR_SHUTTING_DOWN: { status: 503, message: 'this process is shutting down; send the request again', retryable: true },
  RS_ERR_NOT_FOUND: { status: 404, message: 'no such route', retryable: false },
  RS_ERR_INTERNAL: { status: 500, message: 'an internal error occurred', retryable: true },
  // On the bus: reasons a message goes to the dead-letter stream.
  RS_ERR_BUS_JSON: { status: 400, message: 'the message is not valid JSON', retryable: false },
  RS_ERR_BUS_SCHEMA: { status: 400, message: 'the message does not match its contract', retryable: false },
  RS_ERR_BUS_SUBJECT: { status: 400, message: 'the message kind does not match its subject', retryable: false },
  RS_ERR_SCORER: { status: 500, message: 'a scorer failed on this event', retryable: false },
  RS_ERR_STORAGE_ROW: { status: 400, message: 'the message could not be stored', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a stable code that the HTTP layer turns into a JSON answer. */
export class RiskstreamError extends Error {
  override readonly name = 'RiskstreamError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    const spec = ERRORS[code];
    super(message ?? spec.message);
    this.code = code;
    this.status = spec.status;
    this.retryable = spec.retryable;
    this.details = details;
  }

  toJSON(): { error: { code: ErrorCode; message: string; retryable: boolean; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        retryable: this.retryable,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}
