// The REST client: JSON in and out, the CSRF header on every state-changing request, errors as
// ApiError with the server's stable code, and a 401 from any call sent back to the sign-in page.
export type QueryValue = string | number | boolean | null | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

/** What pages need from the REST API (tests hand them a fake). */
export interface Api {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
}

/** An error answer `{ error: { code, message, retryable, details? } }`, or a network failure (status 0). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: unknown;
  /** From a `retry-after` header (seconds), e.g. on a sign-in lock-out. */
  retryAfterSeconds: number | null = null;

  constructor(status: number, code: string, message: string, retryable: boolean, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryable = retryable;
    this.details = details;
  }
}

export type ApiClientOptions = {
  readonly fetch?: typeof fetch;
  /** Called once per 401 (except from the sign-in call itself, whose 401 is a wrong password). */
  readonly onUnauthorized?: () => void;
  readonly baseUrl?: string;
};

/** Paths whose 401 answers belong to the form that called them, not to the session. */
const OWN_401 = new Set(['/api/auth/login', '/api/auth/me']);

/**
 * Whether a 401 means the session is gone. A wrong code while setting up two factors, or a wrong
 * current password, is a 401 of the form (RS_ERR_TOTP_INVALID, RS_ERR_LOGIN_FAILED): the user
 * stays signed in and the form says what was wrong.
 */
function sessionLost(path: string, code: string): boolean {
  if (OWN_401.has(path.split('?')[0] ?? path)) return false;
  return code !== 'RS_ERR_TOTP_INVALID' && code !== 'RS_ERR_TOTP_REQUIRED' && code !== 'RS_ERR_LOGIN_FAILED';
}

export class ApiClient implements Api {
  /** From the sign-in answer (or /api/auth/me); sent as `x-csrf-token`. */
  csrfToken: string | null = null;
  private readonly _fetch: typeof fetch;
  private readonly _onUnauthorized: () => void;
  private readonly _baseUrl: string;

  constructor(options: ApiClientOptions = {}) {
    this._fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this._onUnauthorized = options.onUnauthorized ?? (() => {});
    this._baseUrl = options.baseUrl ?? '';
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this._request<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this._request<T>('POST', path, body ?? {});
  }

  private async _request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // Every state-changing call carries the header; before sign-in there is no token yet, and the
    // header's presence alone still defeats a cross-site form post.
    if (method !== 'GET') headers['x-csrf-token'] = this.csrfToken ?? '';
    let response: Response;
    try {
      response = await this._fetch(`${this._baseUrl}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new ApiError(0, 'RS_ERR_NETWORK', cause instanceof Error ? cause.message : 'network error', true);
    }
    const answer: unknown = await readJson(response);
    if (response.ok) return answer as T;
    const error = errorOf(response.status, answer);
    const retryAfter = Number(response.headers.get('retry-after') ?? '');
    if (Number.isFinite(retryAfter) && retryAfter > 0) error.retryAfterSeconds = retryAfter;
    if (response.status === 401 && sessionLost(path, error.code)) this._onUnauthorized();
    throw error;
  }
}

export function withQuery(path: string, query?: Query): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function errorOf(status: number, answer: unknown): ApiError {
  if (typeof answer === 'object' && answer !== null && 'error' in answer) {
    const error = (answer as { error: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      const e = error as { code?: unknown; message?: unknown; retryable?: unknown; details?: unknown };
      return new ApiError(
        status,
        typeof e.code === 'string' ? e.code : `HTTP_${status}`,
        typeof e.message === 'string' ? e.message : `HTTP ${status}`,
        e.retryable === true,
        e.details,
      );
    }
  }
  return new ApiError(status, `HTTP_${status}`, `HTTP ${status}`, status >= 500);
}
