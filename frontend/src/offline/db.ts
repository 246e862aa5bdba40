/**
 * The browser's offline store (IndexedDB through Dexie), one database per
 * signed-in user so two people sharing a browser never see each other's data:
 * - `records`: the rep's own customers, contacts, leads, open follow-ups (kept
 *   by the pull cursor) and recently viewed records, keyed `<collection>:<id>`;
 * - `outbox`: the operations written while offline, in the order made (`seq`),
 *   each with its client UUID (`id`) and the record's base version;
 * - `meta`: the pull cursor and the time of the last refresh.
 */
import Dexie, { type Table } from 'dexie'
import type { SyncOpKind } from '@/api/sync'

export type Row = Record<string, unknown>

export interface CachedRecord {
  key: string
  collection: string
  id: number | string
  data: Row
  /** kept by the pull (the user's data scope); otherwise only recently viewed */
  scoped: boolean
  /** when the user last opened it (recently viewed records) */
  viewedAt: number
}

export type OutboxState = 'pending' | 'rejected' | 'conflict'

export interface ConflictField {
  field: string
  mine: unknown
  theirs: unknown
}

export interface OutboxOp {
  seq?: number
  /** client-generated UUID, the idempotency key on the server */
  id: string
  op: SyncOpKind
  collection: string
  record?: number | string | null
  base_version?: number | null
  data: Row
  transition?: string
  /** what the user sees in the queue (e.g. the subject or name) */
  label: string
  createdAt: number
  state: OutboxState
  reasons?: string[]
  conflicts?: ConflictField[]
  /** the server's record and version when the push met a conflict */
  server?: Row | null
  serverVersion?: number | null
}

export interface Meta {
  key: string
  value: unknown
}

export class OfflineDb extends Dexie {
  records!: Table<CachedRecord, string>
  outbox!: Table<OutboxOp, number>
  meta!: Table<Meta, string>

  constructor(name: string) {
    super(name)
    this.version(1).stores({
      records: 'key, collection, viewedAt',
      outbox: '++seq, &id, state',
      meta: 'key',
    })
  }
}

let current: OfflineDb | null = null

/** Open (or switch to) the database of a user. */
export function openOfflineDb(user: string | number): OfflineDb {
  const name = `shanghui-offline-${user}`
  if (current?.name === name) return current
  current?.close()
  current = new OfflineDb(name)
  return current
}

/** The open database (after openOfflineDb). */
export function offlineDb(): OfflineDb {
  if (!current) throw new Error('offline database not opened')
  return current
}

export function hasOfflineDb(): boolean {
  return current !== null
}

export function closeOfflineDb(): void {
  current?.close()
  current = null
}

export const recordKey = (collection: string, id: number | string): string => `${collection}:${id}`
