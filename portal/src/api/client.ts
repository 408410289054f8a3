import createClient from 'openapi-fetch';
import type { Middleware } from 'openapi-fetch';
import { ApiProblem } from './problem.ts';
import type { paths } from './schema.gen.ts';

export type { components, operations, paths } from './schema.gen.ts';

const CSRF_STORAGE_KEY = 'securebase.csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The session cookie is httpOnly; the CSRF token from login is kept in localStorage so every tab of
 * the session can write. Anything script-readable is readable by an injected script too, which is
 * why the portal renders no unescaped HTML and the CSP forbids inline scripts.
 */
export const csrfToken = {
  get: (): string | null => localStorage.getItem(CSRF_STORAGE_KEY),
  set: (token: string): void => localStorage.setItem(CSRF_STORAGE_KEY, token),
  clear: (): void => localStorage.removeItem(CSRF_STORAGE_KEY),
};

/** Listeners told when the session has ended (a 401 from any call). */
const sessionEndedListeners = new Set<() => void>();
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

const conventions: Middleware = {
  onRequest({ request }) {
    const token = csrfToken.get();
    if (token && !SAFE_METHODS.has(request.method)) request.headers.set('x-csrf-token', token);
    return request;
  },
  async onResponse({ response, request }) {
    if (response.ok) return response;
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => ({}));
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/v1/auth/')) {
      for (const listener of sessionEndedListeners) listener();
    }
    throw new ApiProblem(response.status, body);
  },
};

/**
 * The one typed client of the API. Every error answer is thrown as an `ApiProblem`, so callers
 * (TanStack Query functions) get `data` or an exception, never both.
 */
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? 'http://localhost',
  credentials: 'same-origin',
});
api.use(conventions);

/** The data of a successful answer; openapi-fetch types it optional although errors have thrown. */
export function data<T>(result: { data?: T }): T {
  return result.data as T;
}
