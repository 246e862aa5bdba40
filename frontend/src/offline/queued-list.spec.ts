import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PushAnswer, SyncOperation } from '@/api/sync'
import { OfflineDb } from './db'
import { enqueue, pushOutbox } from './outbox'
import { isQueuedRow, listCached, listOfflineRows, QUEUED, storeRecord } from './cache'

let db: OfflineDb
let n = 0

beforeEach(async () => {
  n += 1
  db = new OfflineDb(`test-queued-list-${n}`)
  await db.open()
})
afterEach(() => {
  db.close()
})

const visit = (subject: string, lead = 5) => ({ op: 'create' as const, collection: 'activities', data: { kind: 'visit', subject, lead } })

describe('an offline list shows the creations still in the outbox', () => {
  it('puts them on top, newest first, marked queued with no server id, before the offline copy', async () => {
    await storeRecord('activities', { id: 1, kind: 'call', subject: '旧电话', lead: 5 }, db)
    await storeRecord('activities', { id: 2, kind: 'visit', subject: '旧拜访', lead: 5 }, db)
    const first = await enqueue(visit('离线拜访甲'), db)
    await new Promise((r) => setTimeout(r, 2))
    const second = await enqueue(visit('离线拜访乙'), db)
    // Not of this list: another collection, an edit, a transition.
    await enqueue({ op: 'create', collection: 'leads', data: { company_name: '新线索' } }, db)
    await enqueue({ op: 'update', collection: 'activities', record: 1, base_version: 1, data: { note: '改' } }, db)
    await enqueue({ op: 'transition', collection: 'activities', record: 2, transition: 'close', data: {} }, db)

    const page = await listOfflineRows('activities', {}, db)
    expect(page.count).toBe(4)
    expect(page.results.map((r) => r.subject)).toEqual(['离线拜访乙', '离线拜访甲', '旧拜访', '旧电话'])
    expect(page.results.map(isQueuedRow)).toEqual([true, true, false, false])
    expect(page.results[0]).toMatchObject({ id: `queued:${second.id}`, [QUEUED]: second.id, kind: 'visit', lead: 5 })
    expect(page.results[1][QUEUED]).toBe(first.id)
    // The copy alone (as the pull keeps it) does not show them.
    expect((await listCached('activities', {}, db)).count).toBe(2)
    expect((await listOfflineRows('leads', {}, db)).results).toEqual([expect.objectContaining({ company_name: '新线索', [QUEUED]: expect.any(String) })])
  })

  it('applies the filters, the search and the paging to the whole list, queued rows included', async () => {
    for (let i = 1; i <= 3; i += 1) await storeRecord('activities', { id: i, kind: 'call', subject: `电话${i}`, lead: 5 }, db)
    await enqueue(visit('离线拜访', 5), db)
    await enqueue(visit('别的线索', 6), db)
    expect((await listOfflineRows('activities', { lead: 6 }, db)).results.map((r) => r.subject)).toEqual(['别的线索'])
    expect((await listOfflineRows('activities', { search: '离线' }, db)).count).toBe(1)
    const second = await listOfflineRows('activities', { page_size: 2, page: 2 }, db)
    expect(second.count).toBe(5)
    expect(second.results.map((r) => r.subject)).toEqual(['电话3', '电话2'])
  })

  it('leaves the list once synced (the copy holds the server record instead), and a refused one is not 待同步', async () => {
    await enqueue(visit('会同步的'), db)
    await enqueue(visit('会被拒绝的'), db)
    const push = async (ops: SyncOperation[]): Promise<PushAnswer> => ({
      results: ops.map((op) =>
        op.data.subject === '会同步的'
          ? { id: op.id, status: 'applied', record: { id: 42, ...op.data }, version: 1, conflicts: {}, reasons: [] }
          : { id: op.id, status: 'rejected', record: null, conflicts: {}, reasons: ['主题重复'] },
      ),
    })
    await pushOutbox(push, db)
    const page = await listOfflineRows('activities', {}, db)
    expect(page.results).toEqual([expect.objectContaining({ id: 42, subject: '会同步的' })])
    expect(page.results.some(isQueuedRow)).toBe(false)
  })
})
