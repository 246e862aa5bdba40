/**
 * The pages' way into the offline copy (loaded on demand): a list or a card
 * read from IndexedDB when there is no network, and the records the user
 * opens remembered for later.
 */
import type { Page, Query } from '@/api/client'
import { openOfflineDb, type Row } from './db'
import { getCached, listOfflineRows, remember } from './cache'

/** A list without a network: creations still in the outbox on top (marked QUEUED), then the copy. */
export function listOffline(user: number | string, collection: string, query: Query): Promise<Page<Row>> {
  return listOfflineRows(collection, query, openOfflineDb(user))
}

export function getOffline(user: number | string, collection: string, id: number | string): Promise<Row | null> {
  return getCached(collection, id, openOfflineDb(user))
}

export function rememberViewed(user: number | string, collection: string, record: Row): Promise<void> {
  return remember(collection, record, openOfflineDb(user))
}
