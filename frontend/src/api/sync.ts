/**
 * The offline sync API (issue 18): `POST /api/v1/sync/push/` takes a batch of
 * operations from the outbox and answers per operation; `GET
 * /api/v1/sync/pull/?cursor=` returns what changed in the user's data scope
 * since the cursor (tombstones for deletions and records that left the scope).
 */
import type { components } from './schema'
import { client, unwrap } from './client'

export type Row = Record<string, unknown>

export type SyncOpKind = 'create' | 'update' | 'transition'

export interface SyncOperation {
  /** client-generated UUID: the idempotency key of the operation */
  id: string
  op: SyncOpKind
  collection: string
  /** the record's id (update and transition) */
  record?: number | string | null
  /** the record's version the change was made on (update and transition) */
  base_version?: number | null
  data: Row
  transition?: string
}

export type SyncStatus = 'applied' | 'duplicate' | 'conflict' | 'rejected'

export interface SyncResult {
  id: string
  status: SyncStatus
  record?: Row | null
  /** the server's version (conflict) when not inside `record` */
  version?: number | null
  conflicts?: Record<string, unknown> | string[] | null
  reasons?: string[] | null
}

export interface PushAnswer {
  results: SyncResult[]
}

export interface PullChange {
  collection: string
  /** the record (or, for a tombstone, its id or `{id}`) */
  record: Row | number | string
  deleted?: boolean
}

export interface PullAnswer {
  changes: PullChange[]
  cursor: string
  /** more pages wait behind this one (when the server says so) */
  more?: boolean
  has_more?: boolean
}

type Schemas = components['schemas']

export const syncApi = {
  push(operations: SyncOperation[]): Promise<PushAnswer> {
    // The outbox keeps collections as plain strings; the server checks them against its list.
    const body = { operations: operations as unknown as Schemas['OperationRequest'][] }
    return unwrap(client.POST('/api/v1/sync/push/', { body })) as Promise<PushAnswer>
  },
  pull(cursor?: string | null): Promise<PullAnswer> {
    return unwrap(client.GET('/api/v1/sync/pull/', { params: { query: cursor ? { cursor } : {} } })) as Promise<PullAnswer>
  },
}
