/**
 * What the pages need to decide on the offline path, without loading the
 * IndexedDB code (Dexie is fetched only when the offline path is taken).
 */
import { ApiError } from '@/api/errors'

/** The collections whose lists and cards can be read offline. */
export const OFFLINE_READ = new Set(['customers', 'contacts', 'leads', 'follow-ups', 'activities'])

/** Collections whose creates, edits and transitions can be captured offline. */
export const OFFLINE_WRITE = new Set(['activities', 'follow-ups', 'leads', 'contacts', 'customers'])

export function canWriteOffline(collection: string): boolean {
  return OFFLINE_WRITE.has(collection)
}

export function canReadOffline(collection: string): boolean {
  return OFFLINE_READ.has(collection)
}

/** The browser says there is no network. */
export function browserOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false
}

/** A network failure (no answer at all, or the gateway found no server), not a refusal of the server. */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof ApiError) return error.status === 502 || error.status === 503 || error.status === 504
  const name = (error as Error | null)?.name
  return error instanceof TypeError || name === 'TypeError' || name === 'NetworkError'
}

/**
 * The key a row of an offline list carries when it is a creation still waiting
 * in the outbox (its value: the operation's client UUID). Such a row has no
 * server id yet: no card to open, no row actions; the list marks it 待同步.
 */
export const QUEUED = '_queued'

export function isQueuedRow(row: Record<string, unknown>): boolean {
  return typeof row[QUEUED] === 'string'
}
