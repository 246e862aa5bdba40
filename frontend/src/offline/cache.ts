/**
 * The offline copy of the rep's records: refreshed incrementally from the pull
 * cursor (a tombstone deletes), plus the records the user opened recently.
 * Offline, the lists and cards of these collections read from here.
 */
import { syncApi, type PullAnswer, type PullChange } from '@/api/sync'
import type { Page, Query } from '@/api/client'
import { ApiError } from '@/api/errors'
import { offlineDb, recordKey, type CachedRecord, type OfflineDb, type Row } from './db'
import { QUEUED } from './network'

export { QUEUED, isQueuedRow } from './network'

/** How many recently viewed records (outside the pulled scope) are kept. */
export const RECENT_LIMIT = 100

/** The server may name a collection `follow_ups` or `followups`: the app says `follow-ups`. */
export function normalizeCollection(name: string): string {
  const kebab = name.replace(/_/g, '-')
  return kebab === 'followups' ? 'follow-ups' : kebab
}

function changeId(change: PullChange): number | string | null {
  const r = change.record
  if (r !== null && typeof r === 'object') return (r.id as number | string | undefined) ?? null
  return r ?? null
}

/** Apply one page of pulled changes (in one transaction). */
export async function applyChanges(db: OfflineDb, changes: PullChange[]): Promise<void> {
  if (!changes.length) return
  await db.transaction('rw', db.records, async () => {
    for (const change of changes) {
      const id = changeId(change)
      if (id === null) continue
      const collection = normalizeCollection(change.collection)
      const key = recordKey(collection, id)
      if (change.deleted) {
        await db.records.delete(key)
        continue
      }
      const before = await db.records.get(key)
      await db.records.put({ key, collection, id, data: change.record as Row, scoped: true, viewedAt: before?.viewedAt ?? 0 })
    }
  })
}

export type Puller = (cursor: string | null) => Promise<PullAnswer>

/**
 * Pull every page of changes since the stored cursor; stores the new cursor
 * after each page and the time of the refresh at the end. Returns the number
 * of changes applied.
 */
export async function pullChanges(pull: Puller = syncApi.pull, db: OfflineDb = offlineDb(), maxPages = 200): Promise<number> {
  let cursor = ((await db.meta.get('cursor'))?.value as string | undefined) ?? null
  let total = 0
  for (let i = 0; i < maxPages; i += 1) {
    let answer: PullAnswer
    try {
      answer = await pull(cursor)
    } catch (error) {
      // The position is older than the server keeps its change log: start again from a full pull.
      if (error instanceof ApiError && error.status === 410 && cursor !== null) {
        await db.records.filter((r) => r.scoped).delete()
        await db.meta.delete('cursor')
        cursor = null
        continue
      }
      throw error
    }
    await applyChanges(db, answer.changes ?? [])
    total += answer.changes?.length ?? 0
    const moved = answer.cursor !== undefined && answer.cursor !== null && answer.cursor !== cursor
    if (answer.cursor !== undefined && answer.cursor !== null) {
      cursor = answer.cursor
      await db.meta.put({ key: 'cursor', value: cursor })
    }
    const more = answer.more ?? answer.has_more ?? (answer.changes?.length > 0 && moved)
    if (!more) break
  }
  await db.meta.put({ key: 'syncedAt', value: Date.now() })
  return total
}

/** When the cached data was last refreshed (ms since epoch), or null. */
export async function syncedAt(db: OfflineDb = offlineDb()): Promise<number | null> {
  return ((await db.meta.get('syncedAt'))?.value as number | undefined) ?? null
}

/** Keep a record the user opened (or saved) so it can be read offline. */
export async function remember(collection: string, record: Row, db: OfflineDb = offlineDb()): Promise<void> {
  const id = record.id as number | string | undefined
  if (id === undefined || id === null) return
  const key = recordKey(collection, id)
  const before = await db.records.get(key)
  await db.records.put({ key, collection, id, data: record, scoped: before?.scoped ?? false, viewedAt: Date.now() })
  // Trim the recently viewed records outside the scope to the newest RECENT_LIMIT.
  const loose = await db.records.filter((r) => !r.scoped).toArray()
  if (loose.length > RECENT_LIMIT) {
    const old = loose.sort((a, b) => b.viewedAt - a.viewedAt).slice(RECENT_LIMIT)
    await db.records.bulkDelete(old.map((r) => r.key))
  }
}

/** Store a record as the server answered it (after a push or an online save), keeping its flags. */
export async function storeRecord(collection: string, record: Row, db: OfflineDb = offlineDb()): Promise<void> {
  const id = record.id as number | string | undefined
  if (id === undefined || id === null) return
  const key = recordKey(collection, id)
  const before = await db.records.get(key)
  await db.records.put({ key, collection, id, data: record, scoped: before?.scoped ?? true, viewedAt: before?.viewedAt ?? 0 })
}

/** Apply a queued edit to the cached copy, so the card read offline shows it. */
export async function applyLocalEdit(collection: string, id: number | string, data: Row, db: OfflineDb = offlineDb()): Promise<void> {
  const key = recordKey(collection, id)
  const before = await db.records.get(key)
  if (before) await db.records.put({ ...before, data: { ...before.data, ...data } })
}

export async function getCached(collection: string, id: number | string, db: OfflineDb = offlineDb()): Promise<Row | null> {
  return (await db.records.get(recordKey(collection, id)))?.data ?? null
}

const PAGING = new Set(['page', 'page_size', 'ordering', 'search'])

function matches(record: Row, query: Query): boolean {
  for (const [name, wanted] of Object.entries(query)) {
    if (PAGING.has(name) || wanted === undefined || wanted === null || wanted === '') continue
    if (!(name in record)) continue // a filter the copy cannot answer (e.g. `overdue`): not applied
    const value = record[name]
    const options = (Array.isArray(wanted) ? wanted : [wanted]).map(String)
    if (!options.includes(String(value ?? ''))) return false
  }
  const search = typeof query.search === 'string' ? query.search.trim().toLowerCase() : ''
  if (search) {
    const text = Object.values(record)
      .filter((v) => typeof v === 'string' || typeof v === 'number')
      .join(' ')
      .toLowerCase()
    if (!text.includes(search)) return false
  }
  return true
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === null || a === undefined) return 1
  if (b === null || b === undefined) return -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b), 'zh-CN')
}

/**
 * The creations of ``collection`` waiting in the outbox, newest first, as list
 * rows (the form's data, an id ``queued:<uuid>`` and the QUEUED mark), with
 * the list's filters and search applied.
 */
export async function queuedCreations(collection: string, query: Query = {}, db: OfflineDb = offlineDb()): Promise<Row[]> {
  const ops = await db.outbox.where('state').equals('pending').toArray()
  return ops
    .filter((op) => op.op === 'create' && normalizeCollection(op.collection) === collection)
    .sort((a, b) => b.createdAt - a.createdAt || (b.seq ?? 0) - (a.seq ?? 0))
    .map((op): Row => ({ ...op.data, id: `queued:${op.id}`, [QUEUED]: op.id }))
    .filter((row) => matches(row, query))
}

function page(rows: Row[], query: Query): Page<Row> {
  const size = Number(query.page_size) || 20
  const number = Number(query.page) || 1
  return { count: rows.length, next: null, previous: null, results: rows.slice((number - 1) * size, number * size) }
}

/**
 * The list read without a network: the creations still in the outbox on top
 * (marked QUEUED), then the offline copy, filtered, sorted and paged as one list.
 */
export async function listOfflineRows(collection: string, query: Query = {}, db: OfflineDb = offlineDb()): Promise<Page<Row>> {
  const [queued, cached] = await Promise.all([queuedCreations(collection, query, db), cachedRows(collection, query, db)])
  return page([...queued, ...cached], query)
}

/** A list page read from the offline copy, filtered, searched, sorted and paged like the API's. */
export async function listCached(collection: string, query: Query = {}, db: OfflineDb = offlineDb()): Promise<Page<Row>> {
  return page(await cachedRows(collection, query, db), query)
}

async function cachedRows(collection: string, query: Query, db: OfflineDb): Promise<Row[]> {
  const all: CachedRecord[] = await db.records.where('collection').equals(collection).toArray()
  let rows = all.map((r) => r.data).filter((r) => matches(r, query))
  const ordering = typeof query.ordering === 'string' ? query.ordering.split(',')[0] : ''
  const name = ordering.replace(/^-/, '')
  if (name) {
    const sign = ordering.startsWith('-') ? -1 : 1
    rows = rows.sort((a, b) => sign * compare(a[name], b[name]))
  } else {
    rows = rows.sort((a, b) => compare(b.id, a.id))
  }
  return rows
}
