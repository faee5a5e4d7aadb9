/** A response as tests look at it. `json` is the parsed body (undefined when empty or not JSON). */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  json: T;
  text: string;
}

export interface ApiRequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `application/x-www-form-urlencoded` (OAuth2 password logins). */
  form?: Record<string, string>;
  /** Appended to the path; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
}

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Fetch-based HTTP helper for end-to-end tests against a running gateway. */
export interface ApiClient {
  readonly baseUrl: string;
  request<T = Record<string, unknown>>(
    method: ApiMethod,
    path: string,
    options?: ApiRequestOptions,
  ): Promise<ApiResponse<T>>;
  get<T = Record<string, unknown>>(
    path: string,
    options?: ApiRequestOptions,
  ): Promise<ApiResponse<T>>;
  post<T = Record<string, unknown>>(
    path: string,
    options?: ApiRequestOptions,
  ): Promise<ApiResponse<T>>;
  put<T = Record<string, unknown>>(
    path: string,
    options?: ApiRequestOptions,
  ): Promise<ApiResponse<T>>;
  patch<T = Record<string, unknown>>(
    path: string,
    options?: ApiRequestOptions,
  ): Promise<ApiResponse<T>>;
  delete<T = Record<string, unknown>>(
    path: string,
    options?: ApiRequestOptions,
  ): Promise<ApiResponse<T>>;
}

function urlOf(baseUrl: string, path: string, query: ApiRequestOptions['query']): string {
  const url = new URL(path, baseUrl);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/**
 * `const api = apiClient(platform.gatewayUrl); const res = await api.get('/api/users/me', { token })`
 * then `res.status`, `res.headers.get('etag')`, `res.json`.
 */
export function apiClient(baseUrl: string): ApiClient {
  async function request<T>(
    method: ApiMethod,
    path: string,
    options: ApiRequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(urlOf(baseUrl, path, options.query), { method, headers, body });
    const text = await response.text();
    let json: unknown;
    if (text.length > 0 && (response.headers.get('content-type') ?? '').includes('json')) {
      json = JSON.parse(text);
    }
    return { status: response.status, headers: response.headers, json: json as T, text };
  }
  return {
    baseUrl,
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, options) => request('POST', path, options),
    put: (path, options) => request('PUT', path, options),
    patch: (path, options) => request('PATCH', path, options),
    delete: (path, options) => request('DELETE', path, options),
  };
}
