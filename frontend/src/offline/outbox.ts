/**
 * The outbox: operations written while offline (or when the network failed),
 * kept in IndexedDB in the order made, each with a client UUID and the
 * record's base version, so they survive reloads and browser restarts. On
 * reconnect (and at start) they are pushed in order; the server answers per
 * operation:
 * - applied: removed from the outbox, the record stored in the offline copy;
 * - duplicate (the same UUID was applied before): removed;
 * - rejected: kept with the reasons, for the user to retry or discard;
 * - conflict: kept with the conflicting fields, for the user to resolve.
 */
import { syncApi, type PushAnswer, type SyncOperation } from '@/api/sync'
import { ApiError } from '@/api/errors'
import { offlineDb, type OfflineDb, type OutboxOp, type Row } from './db'
import { applyLocalEdit, storeRecord } from './cache'
import { conflictFields, resolution, serverVersion, type Choice } from './conflicts'
import { isNetworkError } from './network'

export { isNetworkError }

export type NewOp = Omit<OutboxOp, 'seq' | 'id' | 'createdAt' | 'state' | 'label'> & { label?: string }

/** How many operations go in one push request. */
export const BATCH = 100

function newId(): string {
  return globalThis.crypto.randomUUID()
}

function labelOf(op: NewOp): string {
  if (op.label) return op.label
  const d = op.data
  return String(d.subject ?? d.name ?? d.company_name ?? d.title ?? d.outcome ?? op.transition ?? op.record ?? '')
}

/** Queue an operation (and show a queued edit in the offline copy at once). */
export async function enqueue(input: NewOp, db: OfflineDb = offlineDb()): Promise<OutboxOp> {
  const op: OutboxOp = {
    ...input,
    id: newId(),
    label: labelOf(input),
    base_version: input.base_version ?? null,
    record: input.record ?? null,
    createdAt: Date.now(),
    state: 'pending',
  }
  op.seq = await db.outbox.add(op)
  if (op.op === 'update' && op.record !== null && op.record !== undefined) await applyLocalEdit(op.collection, op.record, op.data, db)
  return op
}

/** Every queued operation in the order made. */
export function queued(db: OfflineDb = offlineDb()): Promise<OutboxOp[]> {
  return db.outbox.orderBy('seq').toArray()
}

export async function discard(id: string, db: OfflineDb = offlineDb()): Promise<void> {
  await db.outbox.where('id').equals(id).delete()
}

/** Send a rejected operation again (under the same UUID). */
export async function retry(id: string, db: OfflineDb = offlineDb()): Promise<void> {
  await db.outbox.where('id').equals(id).modify({ state: 'pending', reasons: [] })
}

export function wire(op: OutboxOp): SyncOperation {
  const out: SyncOperation = { id: op.id, op: op.op, collection: op.collection, data: op.data }
  if (op.op !== 'create') {
    out.record = op.record
    out.base_version = op.base_version
  }
  if (op.op === 'transition') out.transition = op.transition
  return out
}

export type Pusher = (operations: SyncOperation[]) => Promise<PushAnswer>

export interface PushSummary {
  applied: number
  duplicate: number
  rejected: number
  conflict: number
  /** the push stopped on a network failure (the rest waits for the next try) */
  offline: boolean
}

let running: Promise<PushSummary> | null = null

/** Push the pending operations in order, in batches; one push at a time. */
export function pushOutbox(push: Pusher = syncApi.push, db: OfflineDb = offlineDb()): Promise<PushSummary> {
  if (running) return running
  running = doPush(push, db).finally(() => {
    running = null
  })
  return running
}

async function doPush(push: Pusher, db: OfflineDb): Promise<PushSummary> {
  const summary: PushSummary = { applied: 0, duplicate: 0, rejected: 0, conflict: 0, offline: false }
  const done = new Set<string>()
  for (;;) {
    const batch = (await db.outbox.orderBy('seq').filter((op) => op.state === 'pending' && !done.has(op.id)).toArray()).slice(0, BATCH)
    if (!batch.length) break
    let answer: PushAnswer
    try {
      answer = await push(batch.map(wire))
    } catch (error) {
      if (isNetworkError(error)) {
        summary.offline = true
        break
      }
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw error
      // The whole batch was refused (e.g. malformed): every operation shows the reason.
      const reasons = error instanceof ApiError ? [error.detail, ...error.reasons] : [String(error)]
      await db.outbox.bulkPut(batch.map((op) => ({ ...op, state: 'rejected' as const, reasons })))
      summary.rejected += batch.length
      break
    }
    const byId = new Map(answer.results.map((r) => [r.id, r]))
    for (const op of batch) {
      done.add(op.id)
      const result = byId.get(op.id)
      if (!result) continue // not answered: stays pending for the next push
      if (result.status === 'applied' || result.status === 'duplicate') {
        await db.outbox.delete(op.seq!)
        if (result.record && typeof result.record === 'object') await storeRecord(op.collection, result.record as Row, db)
        summary[result.status] += 1
      } else if (result.status === 'rejected') {
        await db.outbox.update(op.seq!, { state: 'rejected', reasons: (result.reasons ?? []).map(String) })
        summary.rejected += 1
      } else if (result.status === 'conflict') {
        await db.outbox.update(op.seq!, {
          state: 'conflict',
          conflicts: conflictFields(op, result),
          server: (result.record as Row | null) ?? null,
          serverVersion: serverVersion(result),
        })
        if (result.record && typeof result.record === 'object') await storeRecord(op.collection, result.record as Row, db)
        summary.conflict += 1
      }
    }
  }
  return summary
}

/**
 * Resolve a conflicting operation with the user's choices: it leaves the
 * outbox, and (unless the user kept the server's values everywhere) a new
 * update on the server's version is queued in its place.
 */
export async function resolveConflict(id: string, choices: Record<string, Choice>, db: OfflineDb = offlineDb()): Promise<OutboxOp | null> {
  const op = await db.outbox.where('id').equals(id).first()
  if (!op) return null
  const next = resolution(op, choices)
  await db.outbox.delete(op.seq!)
  if (op.server) await storeRecord(op.collection, op.server, db)
  return next ? enqueue(next, db) : null
}

/**
 * A refused operation's reasons as shown: a message the server gave for
 * several fields ("customer: …", "lead: …") appears once, without the names.
 */
export function reasonLines(reasons: string[]): string[] {
  const split = reasons.map((r) => {
    const m = /^([\w.]+): ([\s\S]*)$/.exec(r)
    return m ? { field: m[1], text: m[2] } : { field: '', text: r }
  })
  const counts = new Map<string, number>()
  split.forEach((s) => counts.set(s.text, (counts.get(s.text) ?? 0) + 1))
  const out: string[] = []
  for (const s of split) {
    const line = (counts.get(s.text) ?? 0) > 1 || !s.field ? s.text : `${s.field}: ${s.text}`
    if (!out.includes(line)) out.push(line)
  }
  return out
}
