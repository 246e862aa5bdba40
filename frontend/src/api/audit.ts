/** The audit browser (GET /api/v1/audit/ and its xlsx export). */
import { client, unwrap, type Query } from './client'
import { cleanQuery } from './collections'
import type { Schema } from './types'

export type AuditEntry = Schema<'AuditEntry'>
export type AuditPage = Schema<'PaginatedAuditEntryList'>

export function listAudit(query: Query): Promise<AuditPage> {
  return unwrap(client.GET('/api/v1/audit/', { params: { query: cleanQuery(query) as never } }))
}

/** The export's download link for the same filters. */
export function auditExportUrl(query: Query): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(cleanQuery(query))) params.append(key, String(value))
  const text = params.toString()
  return `/api/v1/audit/export/${text ? `?${text}` : ''}`
}
