/**
 * Users from a file (issue 17 item 8): `POST /api/v1/users/import/` previews an
 * xlsx/CSV (per-row errors by column) and, with `dry_run=false`, creates the users
 * and mails each an invitation, all or nothing.
 */
import { client, unwrap } from './client'
import type { Schema } from './types'

export type UserImportResult = Schema<'UserImportResult'>
export type UserImportRow = Schema<'UserImportRow'>
export const USER_IMPORT_COLUMNS = ['username', 'full_name', 'email', 'mobile', 'role', 'team'] as const
export type UserImportColumn = (typeof USER_IMPORT_COLUMNS)[number]

/** Preview (`dryRun`) or import. A refused import (rows with errors) resolves with
 * `refused: true` and the rows, so the page can show them; other errors throw. */
export async function importUsers(
  file: File,
  dryRun: boolean,
): Promise<UserImportResult & { refused: boolean }> {
  const form = new FormData()
  form.append('file', file)
  form.append('dry_run', dryRun ? 'true' : 'false')
  const result = await client.POST('/api/v1/users/import/', {
    body: form as never,
    bodySerializer: (body: unknown) => body as FormData,
  })
  const body = result.error as (Partial<UserImportResult> & { code?: string; detail?: string }) | undefined
  if (result.response.status === 400 && body && Array.isArray(body.rows)) {
    return { total: body.total ?? 0, error_rows: body.error_rows ?? 0, rows: body.rows, created: [], refused: true }
  }
  // Other failures throw the usual ApiError (and sign-out on 401).
  return { ...(await unwrap(Promise.resolve(result))), refused: false }
}
