/**
 * The API client: openapi-fetch typed by the generated schema (schema.d.ts,
 * `npm run gen:api`). Every request of the app goes through it, from the
 * modules of src/api/ (collections.ts for the config-driven pages); no page
 * builds an /api/v1 URL or calls fetch() itself (src/api/boundary.spec.ts).
 *
 * Every request sends the session cookie, the CSRF token on writes, and the
 * UI language as Accept-Language (the API translates labels and reasons).
 */
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'
import { ApiError } from './errors'

let language = 'zh-hans'
/** Set the language sent to the API ('zh-hans' | 'en'). */
export function setApiLanguage(lang: string): void {
  language = lang
}

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)
  return match ? decodeURIComponent(match[1]) : ''
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

function decorate(headers: Headers, method: string): void {
  headers.set('Accept-Language', language)
  if (!headers.has('Accept')) headers.set('Accept', 'application/json')
  if (!SAFE.has(method.toUpperCase())) {
    const token = csrfToken()
    if (token) headers.set('X-CSRFToken', token)
  }
}

const middleware: Middleware = {
  onRequest({ request }) {
    decorate(request.headers, request.method)
    return request
  },
}

// fetch is looked up per request (not captured once), so tests can replace it.
export const client = createClient<paths>({ baseUrl: '', credentials: 'same-origin', fetch: (request) => globalThis.fetch(request) })
client.use(middleware)

/** Listeners told about a 401/403 "not authenticated" (the session ended). */
const unauthorizedListeners = new Set<() => void>()
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn)
  return () => unauthorizedListeners.delete(fn)
}

/** Unwrap an openapi-fetch result: the data, or throw an ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const result = await call
  if (!result.response.ok) {
    const body = result.error as never
    const error = new ApiError(result.response.status, body, result.response.statusText)
    if (result.response.status === 401 || (result.response.status === 403 && error.code === 'not_authenticated')) {
      unauthorizedListeners.forEach((fn) => fn())
    }
    throw error
  }
  return result.data as T
}

export type Query = Record<string, string | number | boolean | null | undefined | Array<string | number>>

export interface Page<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}
