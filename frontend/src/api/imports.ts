/**
 * The import API (crm/imports/api.py) through the typed client. The wizard's
 * richer types of a job's JSON parts (totals, result, options) live in
 * components/imports/api.ts, which calls these.
 */
import { client, unwrap, type Page, type Query } from './client'
import { cleanQuery } from './collections'

export async function listImportResources<T>(): Promise<T[]> {
  return (await unwrap(client.GET('/api/v1/imports/resources/'))) as T[]
}

export async function listImportJobs<T>(query: Query): Promise<Page<T>> {
  return (await unwrap(client.GET('/api/v1/imports/', { params: { query: cleanQuery(query) as never } }))) as Page<T>
}

export async function getImportJob<T>(id: number): Promise<T> {
  return (await unwrap(client.GET('/api/v1/imports/{id}/', { params: { path: { id } } }))) as T
}

export async function revertImportJob(id: number): Promise<{ deleted: number; restored: number }> {
  return (await unwrap(client.POST('/api/v1/imports/{id}/revert/', { params: { path: { id } } }))) as { deleted: number; restored: number }
}

/** Upload a file as a new job (multipart: the browser sets the boundary). */
export async function createImportJob<T>(form: FormData): Promise<T> {
  return (await unwrap(client.POST('/api/v1/imports/', { body: form as never, bodySerializer: (body: unknown) => body as FormData }))) as T
}

/** The download link of a job's errors file (followed by the browser, not fetched). */
export function importErrorsFileUrl(id: number): string {
  return `/api/v1/imports/${id}/errors.xlsx`
}
