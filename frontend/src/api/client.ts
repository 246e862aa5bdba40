/**
 * The API client: openapi-fetch typed by the generated schema (schema.d.ts,
 * `npm run gen:api`), plus small untyped helpers for the generic pages whose
 * collection path comes from the resource config.
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

export const client = createClient<paths>({ baseUrl: '', credentials: 'same-origin' })
client.use(middleware)

/** Listeners told about a 401/403 "not authenticated" (the session ended). */
const unauthorizedListeners = new Set<() => void>()
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn)
  return () => unauthorizedListeners.delete(fn)
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  const error = new ApiError(response.status, body as never, response.statusText)
  if (response.status === 401 || (response.status === 403 && error.code === 'not_authenticated')) {
    unauthorizedListeners.forEach((fn) => fn())
  }
  return error
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

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)))
    else params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}

/** An untyped JSON request (for config-driven collection paths). */
export async function request<T = unknown>(method: string, url: string, options: RequestOptions = {}): Promise<T> {
  const headers = new Headers(options.headers)
  decorate(headers, method)
  let body: BodyInit | undefined
  if (options.body instanceof FormData) {
    body = options.body // multipart (file uploads): the browser sets the boundary
  } else if (options.body !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(options.body)
  }
  const response = await fetch(url + queryString(options.query), {
    method,
    headers,
    body,
    credentials: 'same-origin',
    signal: options.signal,
  })
  if (!response.ok) throw await errorFrom(response)
  if (response.status === 204) return undefined as T
  const type = response.headers.get('Content-Type') || ''
  return (type.includes('json') ? await response.json() : await response.text()) as T
}

export interface Page<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

export const rest = {
  list: <T = Record<string, unknown>>(url: string, query?: Query, signal?: AbortSignal) =>
    request<Page<T>>('GET', url, { query, signal }),
  get: <T = Record<string, unknown>>(url: string, query?: Query) => request<T>('GET', url, { query }),
  post: <T = Record<string, unknown>>(url: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>('POST', url, { body: body ?? {}, headers }),
  patch: <T = Record<string, unknown>>(url: string, body: unknown, headers?: Record<string, string>) =>
    request<T>('PATCH', url, { body, headers }),
  delete: (url: string) => request<void>('DELETE', url),
}
