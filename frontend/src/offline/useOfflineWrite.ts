/**
 * The one write path of forms that work offline: online, the normal API call;
 * offline, or when the network fails, the operation goes to the outbox (with a
 * client UUID and the record's base version) and is pushed on reconnect.
 *
 *   const { write } = useOfflineWrite()
 *   const result = await write({ op: 'create', collection: 'activities', data })
 *   if (result.queued) ... // shown as "待同步" in the header
 */
import { api, ifMatch, type Collection, type ProcessCollection } from '@/api/collections'
import type { Row } from './db'
import { hasOfflineDb } from './db'
import { storeRecord } from './cache'
import { enqueue, isNetworkError, type NewOp } from './outbox'
import { useOffline } from './store'

/** Collections whose creates, edits and transitions can be captured offline. */
export const OFFLINE_WRITE = new Set(['activities', 'follow-ups', 'leads', 'contacts', 'customers'])

export function canWriteOffline(collection: string): boolean {
  return OFFLINE_WRITE.has(collection)
}

export type WriteResult = { queued: false; record: Row } | { queued: true; id: string }

async function callApi(op: NewOp): Promise<Row> {
  const collection = op.collection as Collection
  if (op.op === 'create') return api.create(collection, op.data)
  const lock = ifMatch(op.base_version)
  if (op.op === 'update') return api.update(collection, op.record as number, op.data, lock)
  return api.transition(op.collection as ProcessCollection, op.record as number, op.transition as string, op.data, lock)
}

export function useOfflineWrite() {
  const offline = useOffline()

  async function queue(op: NewOp): Promise<WriteResult> {
    const queuedOp = await enqueue(op)
    await offline.refresh()
    return { queued: true, id: queuedOp.id }
  }

  async function write(op: NewOp): Promise<WriteResult> {
    const capturable = canWriteOffline(op.collection) && hasOfflineDb()
    if (capturable && !offline.online) return queue(op)
    try {
      const record = await callApi(op)
      offline.markReachable()
      if (capturable && record && typeof record === 'object') await storeRecord(op.collection, record).catch(() => undefined)
      return { queued: false, record }
    } catch (error) {
      if (!isNetworkError(error)) throw error
      offline.markUnreachable()
      if (!capturable) throw error
      return queue(op)
    }
  }

  return { write, canWriteOffline }
}
