/**
 * The one way the web apps talk to the server. Sessions are the httpOnly
 * cookies the login routes set, so requests only need `credentials: 'same-origin'`.
 * Every error the server sends has `{error: {code, message, details?, requestId}}`;
 * it surfaces here as an ApiError the pages show in words.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

/** Called on 401 so the app can send the person back to its login page. */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null) {
  onUnauthorized = fn;
}

export interface RequestOptions {
  /** Extra headers, e.g. an Idempotency-Key on a request the person may retry. */
  headers?: Record<string, string>;
}

async function request<T>(method: string, path: string, body?: unknown, query?: Query, opts: RequestOptions = {}): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json', ...opts.headers } };
  if (body instanceof FormData || body instanceof Blob) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), init);
  } catch {
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试 / Network error');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: unknown; requestId?: string } } | null)?.error;
    // Only an ended session signs the app out: a wrong current password is a 401 too (INVALID_CREDENTIALS).
    if (res.status === 401 && err?.code === 'UNAUTHENTICATED' && onUnauthorized) onUnauthorized();
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? `请求失败 (${res.status})`, err?.details, err?.requestId);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, undefined, opts),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, body ?? {}, undefined, opts),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  /** Some removals carry a body (the reason, for the audit log). */
  delete: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
  /** Uploads a file as the raw body (the onboarding file routes take the bytes with their content type). */
  upload: async <T>(method: 'PUT' | 'POST', path: string, file: Blob): Promise<T> => request<T>(method, path, file),
};

/** The message to show for an error of any kind, with the request id staff can quote. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.requestId && err.status >= 500 ? `${err.message}（请求编号 ${err.requestId}）` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
