import { ApiError, apiErrorFrom } from '../lib/api-error';

/**
 * fetch with the API key in the Authorization header and JSON errors turned into ApiError.
 * `onUnauthorized` runs on any 401 (the key was revoked or the server's data changed): the app
 * then logs out instead of showing a page of failures.
 */
export class ApiClient {
  constructor(
    private readonly key: string,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('DELETE', path, body);
  }

  /** multipart/form-data; the browser sets the boundary. */
  postForm<T>(path: string, form: FormData): Promise<T> {
    return this.request(path, { method: 'POST', body: form }).then((r) => parseJson<T>(r));
  }

  /** An image (or any bytes) fetched with the key, for an object URL. */
  async blob(path: string): Promise<Blob> {
    const r = await this.request(path, { method: 'GET' });
    return r.blob();
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    return parseJson<T>(await this.request(path, init));
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.key}`);
    const r = await fetch(path, { ...init, headers, cache: 'no-store' });
    if (r.ok) return r;
    const err = apiErrorFrom(r.status, await r.text());
    if (r.status === 401) this.onUnauthorized();
    throw err;
  }
}

async function parseJson<T>(r: Response): Promise<T> {
  if (r.status === 204) return undefined as T;
  const text = await r.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(r.status, 'HTTP_BAD_JSON', `The server sent something that is not JSON (${r.status})`);
  }
}
