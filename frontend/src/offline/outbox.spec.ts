import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PushAnswer, SyncOperation, SyncResult } from '@/api/sync'
import { ApiError } from '@/api/errors'
import { OfflineDb } from './db'
import { BATCH, discard, enqueue, pushOutbox, queued, reasonLines, resolveConflict, retry, wire } from './outbox'
import { getCached, listCached, pullChanges, remember, storeRecord, syncedAt } from './cache'

let db: OfflineDb
let name = ''
let n = 0

beforeEach(async () => {
  n += 1
  name = `test-outbox-${n}`
  db = new OfflineDb(name)
  await db.open()
})
afterEach(async () => {
  db.close()
})

const activity = (subject: string) => ({ op: 'create' as const, collection: 'activities', data: { kind: 'visit', subject } })

/** A server double that answers every operation with the status the test picks. */
function server(answer: (op: SyncOperation) => SyncResult) {
  const calls: SyncOperation[][] = []
  const push = async (ops: SyncOperation[]): Promise<PushAnswer> => {
    calls.push(ops)
    return { results: ops.map(answer) }
  }
  return { calls, push }
}

describe('the outbox', () => {
  it('keeps operations in the order made, each with its own UUID, across a reopen of the database', async () => {
    const a = await enqueue(activity('拜访甲'), db)
    const b = await enqueue({ op: 'update', collection: 'leads', record: 7, base_version: 3, data: { phone: '13800000000' } }, db)
    const c = await enqueue(activity('拜访乙'), db)
    expect(new Set([a.id, b.id, c.id]).size).toBe(3)
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

    db.close() // a reload or a browser restart: a new connection to the same database
    const again = new OfflineDb(name)
    const ops = await queued(again)
    expect(ops.map((o) => o.label)).toEqual(['拜访甲', '7', '拜访乙'])
    expect(ops.map((o) => o.id)).toEqual([a.id, b.id, c.id])
    expect(ops[1]).toMatchObject({ op: 'update', record: 7, base_version: 3, state: 'pending' })
    db = again
  })

  it('sends the wire shape of the API: record and base version only for updates and transitions', async () => {
    const create = await enqueue(activity('拜访'), db)
    const step = await enqueue({ op: 'transition', collection: 'follow-ups', record: 4, base_version: 2, transition: 'complete', data: { outcome: '已回访' } }, db)
    expect(wire(create)).toEqual({ id: create.id, op: 'create', collection: 'activities', data: { kind: 'visit', subject: '拜访' } })
    expect(wire(step)).toEqual({ id: step.id, op: 'transition', collection: 'follow-ups', record: 4, base_version: 2, transition: 'complete', data: { outcome: '已回访' } })
  })

  it('pushes in order, in batches, and empties itself on applied and duplicate', async () => {
    const made = []
    for (let i = 0; i < BATCH * 2 + 5; i += 1) made.push(await enqueue(activity(`拜访 ${i}`), db))
    let next = 100
    const double = server((op) => ({ id: op.id, status: op.data.subject === '拜访 3' ? 'duplicate' : 'applied', record: { id: next++, subject: op.data.subject, version: 1 } }))
    const summary = await pushOutbox(double.push, db)
    expect(double.calls.map((c) => c.length)).toEqual([BATCH, BATCH, 5])
    expect(double.calls.flat().map((o) => o.id)).toEqual(made.map((o) => o.id))
    expect(summary).toMatchObject({ applied: BATCH * 2 + 4, duplicate: 1, rejected: 0, conflict: 0, offline: false })
    expect(await db.outbox.count()).toBe(0)
    // The applied records are in the offline copy.
    expect(await getCached('activities', 100, db)).toMatchObject({ subject: '拜访 0' })
  })

  it('keeps refused operations with their reasons, to retry under the same UUID or discard', async () => {
    const ok = await enqueue(activity('好的'), db)
    const bad = await enqueue({ op: 'transition', collection: 'follow-ups', record: 9, base_version: 1, transition: 'complete', data: {} }, db)
    const first = server((op) => (op.id === bad.id ? { id: op.id, status: 'rejected', reasons: ['回访结果不能为空'] } : { id: op.id, status: 'applied', record: { id: 1 } }))
    expect(await pushOutbox(first.push, db)).toMatchObject({ applied: 1, rejected: 1 })
    let ops = await queued(db)
    expect(ops).toHaveLength(1)
    expect(ops[0]).toMatchObject({ id: bad.id, state: 'rejected', reasons: ['回访结果不能为空'] })
    expect(ops[0].id).not.toBe(ok.id)

    // A rejected operation is not sent again by itself...
    const idle = server((op) => ({ id: op.id, status: 'applied' }))
    await pushOutbox(idle.push, db)
    expect(idle.calls).toHaveLength(0)
    // ...only when the user retries it, under the same UUID.
    await retry(bad.id, db)
    await pushOutbox(idle.push, db)
    expect(idle.calls.flat().map((o) => o.id)).toEqual([bad.id])
    expect(await db.outbox.count()).toBe(0)

    const other = await enqueue(activity('放弃'), db)
    await discard(other.id, db)
    expect(await db.outbox.count()).toBe(0)
  })

  it('leaves everything queued when the network fails, and sends the same UUIDs again later', async () => {
    const a = await enqueue(activity('甲'), db)
    const b = await enqueue(activity('乙'), db)
    const summary = await pushOutbox(async () => {
      throw new TypeError('Failed to fetch')
    }, db)
    expect(summary.offline).toBe(true)
    expect((await queued(db)).map((o) => [o.id, o.state])).toEqual([
      [a.id, 'pending'],
      [b.id, 'pending'],
    ])
    // The answer of a batch was lost after the server applied it: the resend is answered "duplicate".
    const seen = new Set<string>()
    const double = server((op) => {
      const status = seen.has(op.id) ? 'duplicate' : 'applied'
      seen.add(op.id)
      return { id: op.id, status }
    })
    await double.push([wire(a)]) // applied, answer lost
    await pushOutbox(double.push, db)
    expect(double.calls[1].map((o) => o.id)).toEqual([a.id, b.id])
    expect(await db.outbox.count()).toBe(0)
  })

  it('marks a whole batch refused with the reason when the server refuses the request', async () => {
    await enqueue(activity('甲'), db)
    await pushOutbox(async () => {
      throw new ApiError(400, { code: 'invalid', detail: 'operations: 格式不对' })
    }, db)
    const [op] = await queued(db)
    expect(op.state).toBe('rejected')
    expect(op.reasons).toContain('operations: 格式不对')
  })

  it('keeps a conflict with the fields of both sides and resolves it as an update on the server version', async () => {
    await storeRecord('leads', { id: 5, name: '张三', phone: '111', company: '甲', version: 1 }, db)
    const edit = await enqueue({ op: 'update', collection: 'leads', record: 5, base_version: 1, data: { phone: '222', company: '乙' }, label: '张三' }, db)
    // The queued edit shows at once in the offline copy.
    expect(await getCached('leads', 5, db)).toMatchObject({ phone: '222', company: '乙' })

    const conflict = server((op) => ({
      id: op.id,
      status: 'conflict',
      record: { id: 5, name: '张三', phone: '333', company: '乙', version: 4 },
      conflicts: { phone: { mine: '222', theirs: '333' } },
    }))
    expect(await pushOutbox(conflict.push, db)).toMatchObject({ conflict: 1 })
    const [kept] = await queued(db)
    expect(kept).toMatchObject({ id: edit.id, state: 'conflict', serverVersion: 4, conflicts: [{ field: 'phone', mine: '222', theirs: '333' }] })

    // Keep mine: a new operation (new UUID) on version 4 with the user's value.
    const next = await resolveConflict(edit.id, { phone: 'mine' }, db)
    expect(next).toMatchObject({ op: 'update', record: 5, base_version: 4, state: 'pending', data: { phone: '222', company: '乙' } })
    expect(next!.id).not.toBe(edit.id)
    expect((await queued(db)).map((o) => o.id)).toEqual([next!.id])
  })

  it('drops the edit when the user keeps the server value of every conflicting field', async () => {
    const edit = await enqueue({ op: 'update', collection: 'leads', record: 5, base_version: 1, data: { phone: '222' } }, db)
    await pushOutbox(server((op) => ({ id: op.id, status: 'conflict', record: { id: 5, phone: '333', version: 2 }, conflicts: ['phone'] })).push, db)
    expect(await resolveConflict(edit.id, { phone: 'theirs' }, db)).toBeNull()
    expect(await db.outbox.count()).toBe(0)
    expect(await getCached('leads', 5, db)).toMatchObject({ phone: '333', version: 2 })
  })
})

describe('refusal reasons', () => {
  it('show a message given for several fields once', () => {
    expect(reasonLines(['customer: 请关联一条记录。', 'lead: 请关联一条记录。', 'subject: 必填。', '已完成的回访不能再完成。'])).toEqual([
      '请关联一条记录。',
      'subject: 必填。',
      '已完成的回访不能再完成。',
    ])
  })
})

describe('the offline copy', () => {
  it('applies pulled pages until the cursor stops, deletes tombstones and keeps the cursor', async () => {
    const pages = [
      { changes: [{ collection: 'customers', record: { id: 1, name: '甲', owner: 3 } }, { collection: 'customers', record: { id: 2, name: '乙', owner: 3 } }], cursor: 'c1', more: true },
      { changes: [{ collection: 'follow_ups', record: { id: 8, subject: '回访', status: 'planned' } }], cursor: 'c2', more: false },
    ]
    const asked: Array<string | null> = []
    const pull = async (cursor: string | null) => {
      asked.push(cursor)
      return pages.shift() ?? { changes: [], cursor: cursor ?? '' }
    }
    expect(await pullChanges(pull, db)).toBe(3)
    expect(asked).toEqual([null, 'c1'])
    expect(await getCached('follow-ups', 8, db)).toMatchObject({ subject: '回访' })
    expect(await syncedAt(db)).toBeGreaterThan(Date.now() - 5000)

    // Next time: from the stored cursor; a deleted record and one reassigned away are tombstones.
    pages.push({ changes: [{ collection: 'customers', record: 1, deleted: true } as never, { collection: 'customers', record: { id: 2 }, deleted: true } as never], cursor: 'c3', more: false })
    await pullChanges(pull, db)
    expect(asked.at(-1)).toBe('c2')
    expect(await getCached('customers', 1, db)).toBeNull()
    expect(await getCached('customers', 2, db)).toBeNull()
  })

  it('starts again from a full pull when the server no longer knows the cursor (410)', async () => {
    await db.meta.put({ key: 'cursor', value: 'old' })
    await storeRecord('customers', { id: 1, name: '已离开范围' }, db)
    await remember('leads', { id: 2, name: '看过的' }, db)
    const asked: Array<string | null> = []
    const pull = async (cursor: string | null) => {
      asked.push(cursor)
      if (cursor === 'old') throw new ApiError(410, { code: 'cursor_expired' })
      return { changes: [{ collection: 'customers', record: { id: 3, name: '新的' } }], cursor: 'new', more: false }
    }
    await pullChanges(pull, db)
    expect(asked).toEqual(['old', null])
    expect(await getCached('customers', 1, db)).toBeNull()
    expect(await getCached('customers', 3, db)).toMatchObject({ name: '新的' })
    expect(await getCached('leads', 2, db)).toMatchObject({ name: '看过的' })
    expect((await db.meta.get('cursor'))?.value).toBe('new')
  })

  it('answers a list like the API: filters, search, order and pages', async () => {
    for (let i = 1; i <= 25; i += 1) await storeRecord('customers', { id: i, name: `客户${String(i).padStart(2, '0')}`, region: i % 2 ? '华东' : '华南' }, db)
    await remember('leads', { id: 99, name: '看过的线索' }, db)
    const east = await listCached('customers', { region: '华东', ordering: '-name', page_size: 5, page: 2 }, db)
    expect(east.count).toBe(13)
    expect(east.results.map((r) => r.name)).toEqual(['客户15', '客户13', '客户11', '客户09', '客户07'])
    expect((await listCached('customers', { search: '客户2' }, db)).count).toBe(6)
    expect((await listCached('leads', {}, db)).results).toEqual([{ id: 99, name: '看过的线索' }])
  })
})
