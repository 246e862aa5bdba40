/**
 * The generic pages' calls (browse, card, form, reference pickers): a
 * resource names its collection (`'leads'`), and every request goes through
 * the typed openapi-fetch client on the schema's own path templates
 * (`/api/v1/{collection}/{id}/`, `.../transitions/{name}/`, ...). The
 * collection names are derived from schema.d.ts, so a resource naming a
 * collection, transition or history endpoint the API does not have fails
 * `vue-tsc`.
 *
 * The records are loose (`Row`) because the pages are driven by the resource
 * config, not by one schema component per page.
 */
import type { paths } from './schema'
import { client, unwrap, type Page, type Query } from './client'

type ApiPath = keyof paths

type Between<P, Head extends string, Tail extends string> = P extends `${Head}${infer C}${Tail}`
  ? C extends `${string}{${string}` // a path template, not a collection
    ? never
    : C
  : never

/** A collection of /api/v1/ with a detail endpoint, e.g. `'leads'` or `'follow-ups'`. */
export type Collection = Extract<Between<ApiPath, '/api/v1/', '/{id}/'>, Between<ApiPath, '/api/v1/', '/'>>
type StepPaths<P> = P extends `/api/v1/${infer C}/{id}/transitions/${infer S}/` ? [C, S] : never
/** A collection whose records have a process: `POST .../{id}/transitions/<step>/`. */
export type ProcessCollection = StepPaths<ApiPath>[0]
/** The steps the schema documents for a collection's process (`{name}` when one template serves all). */
export type StepName<C extends ProcessCollection> = Extract<StepPaths<ApiPath>, [C, string]>[1]
/** A collection with `GET .../{id}/history/`. */
export type HistoryCollection = Between<ApiPath, '/api/v1/', '/{id}/history/'>
/** A collection with `GET .../export/`. */
export type ExportCollection = Between<ApiPath, '/api/v1/', '/export/'>

export type Row = Record<string, unknown>
export type Id = number | string

type Init = {
  params?: { path?: Record<string, Id>; query?: Query }
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}
type Result = Promise<{ data?: unknown; error?: unknown; response: Response }>
type Method = (path: string, init?: Init) => Result
/**
 * The typed client seen through one signature: the paths below are the
 * schema's templates for a collection that the `Collection` types above
 * checked, so the per-path types add nothing here.
 */
const loose = client as unknown as { GET: Method; POST: Method; PATCH: Method; DELETE: Method }

/** A query without empty values (the API reads `?status=` as "status is blank"). */
export function cleanQuery(query: Query = {}): Query {
  const out: Query = {}
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value) && !value.length) continue
    out[key] = value
  }
  return out
}

/** `If-Match` for an optimistic lock value (none when the record has none). */
export function ifMatch(lock: unknown): Record<string, string> | undefined {
  return lock === null || lock === undefined || lock === '' ? undefined : { 'If-Match': `"${lock}"` }
}

const one = (collection: string) => `/api/v1/${collection}/{id}/`

export const api = {
  list<T = Row>(collection: Collection, query?: Query, signal?: AbortSignal): Promise<Page<T>> {
    return unwrap(loose.GET(`/api/v1/${collection}/`, { params: { query: cleanQuery(query) }, signal })) as Promise<Page<T>>
  },
  get<T = Row>(collection: Collection, id: Id): Promise<T> {
    return unwrap(loose.GET(one(collection), { params: { path: { id } } })) as Promise<T>
  },
  create<T = Row>(collection: Collection, body: Row): Promise<T> {
    return unwrap(loose.POST(`/api/v1/${collection}/`, { body })) as Promise<T>
  },
  update<T = Row>(collection: Collection, id: Id, body: Row, headers?: Record<string, string>): Promise<T> {
    return unwrap(loose.PATCH(one(collection), { params: { path: { id } }, body, headers })) as Promise<T>
  },
  remove(collection: Collection, id: Id): Promise<void> {
    return unwrap(loose.DELETE(one(collection), { params: { path: { id } } })) as Promise<void>
  },
  /** Run a step of the record's process; the schema documents one path (and body) per step. */
  transition<T = Row>(collection: ProcessCollection, id: Id, name: string, body: Row = {}, headers?: Record<string, string>): Promise<T> {
    return unwrap(
      loose.POST(`/api/v1/${collection}/{id}/transitions/{name}/`, { params: { path: { id, name } }, body, headers }),
    ) as Promise<T>
  },
  history<T = Row>(collection: HistoryCollection, id: Id): Promise<T[]> {
    return unwrap(loose.GET(`/api/v1/${collection}/{id}/history/`, { params: { path: { id } } })) as Promise<T[]>
  },
}

/** The download link of a collection's export (a link the browser follows, not a fetch). */
export function exportUrl(collection: ExportCollection, query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(cleanQuery(query))) {
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)))
    else params.append(key, String(value))
  }
  const text = params.toString()
  return `/api/v1/${collection}/export/${text ? `?${text}` : ''}`
}
