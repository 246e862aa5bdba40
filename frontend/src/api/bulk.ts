/** A list's selection: delete with a dry run first (`POST .../bulk-delete/`), export only the selected ids. */
import type { components } from './schema'
import { client, unwrap } from './client'
import { exportUrl, type ExportCollection } from './collections'

export type BulkDeleteResult = components['schemas']['BulkDeleteResult']
export type BulkDeleteCollection = 'customers' | 'leads' | 'contacts'

export function bulkDelete(collection: BulkDeleteCollection, ids: number[], dryRun: boolean): Promise<BulkDeleteResult> {
  const options = { body: { ids, dry_run: dryRun } }
  if (collection === 'leads') return unwrap(client.POST('/api/v1/leads/bulk-delete/', options))
  if (collection === 'contacts') return unwrap(client.POST('/api/v1/contacts/bulk-delete/', options))
  return unwrap(client.POST('/api/v1/customers/bulk-delete/', options))
}

/** The export link of only the selected rows (the list's export with `ids`). */
export function selectionExportUrl(collection: ExportCollection, ids: number[]): string {
  return exportUrl(collection, { file_format: 'xlsx', ids: ids.join(',') })
}
