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
import { hasOfflineDb, openOfflineDb } from './db'
import { useSession } from '@/stores/session'
import { storeRecord } from './cache'
import { enqueue, type NewOp } from './outbox'
import { canWriteOffline, isNetworkError } from './network'
import { useOffline } from './store'

export { canWriteOffline }

export type WriteResult = { queued: false; record: Row } | { queued: true; id: string }

/** The user's offline database is open (opened here when the header has not done it yet). */
function ensureDb(): boolean {
  if (hasOfflineDb()) return true
  const id = useSession().me?.id
  if (id === undefined || id === null) return false
  openOfflineDb(id)
  return true
}

async function callApi(op: NewOp): Promise<Row> {
  const collection = op.collection as Collection
  if (op.op === 'create') return api.create(collection, op.data)
  const lock = ifMatch(op.base_version)
  if (op.op === 'update') return api.update(collection, op.record as number, op.data, lock)
  return api.transition(op.collection as ProcessCollection, op.record as number, op.transition as string, op.data, lock)
}

/** Queue an operation in the outbox (the caller found no network). */
export async function queueOffline(op: NewOp): Promise<WriteResult> {
  return useOfflineWrite().queue(op)
}

export function useOfflineWrite() {
  const offline = useOffline()

  async function queue(op: NewOp): Promise<WriteResult> {
    ensureDb()
    const queuedOp = await enqueue(op)
    await offline.refresh()
    return { queued: true, id: queuedOp.id }
  }

  async function write(op: NewOp): Promise<WriteResult> {
    const capturable = canWriteOffline(op.collection) && ensureDb()
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

  return { write, queue, canWriteOffline }
}
