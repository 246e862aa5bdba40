/**
 * Conflicts of an offline edit: the server answers `conflict` with its record
 * (and version) and the fields changed on both sides. The user keeps, per
 * field, their value ("mine") or the server's ("theirs"); the resolution is
 * pushed as a new update on the server's version, so nothing is silently lost.
 */
import type { SyncResult } from '@/api/sync'
import type { ConflictField, OutboxOp, Row } from './db'

export type Choice = 'mine' | 'theirs'

function pick(raw: unknown, keys: string[]): { found: boolean; value: unknown } {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const key of keys) if (key in (raw as Row)) return { found: true, value: (raw as Row)[key] }
  }
  return { found: false, value: undefined }
}

/**
 * The conflicting fields of an answer, whatever shape the server uses for
 * `conflicts`: a list of field names, `{field: theirs}`, or
 * `{field: {mine|client|yours, theirs|server}}`.
 */
export function conflictFields(op: Pick<OutboxOp, 'data'>, result: Pick<SyncResult, 'conflicts' | 'record'>): ConflictField[] {
  const raw = result.conflicts ?? {}
  const server = (result.record ?? {}) as Row
  const entries: Array<[string, unknown]> = Array.isArray(raw) ? raw.map((name) => [String(name), undefined]) : Object.entries(raw)
  return entries.map(([field, detail]) => {
    const theirs = pick(detail, ['theirs', 'server', 'current', 'value'])
    const mine = pick(detail, ['mine', 'client', 'yours'])
    return {
      field,
      mine: field in op.data ? op.data[field] : mine.value,
      theirs: field in server ? server[field] : theirs.found ? theirs.value : detail,
    }
  })
}

/** The server's version in a conflict answer. */
export function serverVersion(result: Pick<SyncResult, 'version' | 'record'>): number | null {
  const v = result.version ?? (result.record?.version as number | undefined)
  return v === undefined || v === null ? null : Number(v)
}

/**
 * The update that resolves a conflict: the edit's own fields, except those
 * where the user kept the server's value, on the server's version. Null when
 * nothing of the edit is left to send (the user kept theirs everywhere and the
 * rest merged already).
 */
export function resolution(op: OutboxOp, choices: Record<string, Choice>): Omit<OutboxOp, 'seq' | 'id' | 'createdAt' | 'state'> | null {
  const conflicting = new Set((op.conflicts ?? []).map((c) => c.field))
  const data: Row = {}
  for (const [field, value] of Object.entries(op.data)) {
    if (conflicting.has(field) && (choices[field] ?? 'mine') === 'theirs') continue
    data[field] = value
  }
  const keptMine = [...conflicting].some((f) => (choices[f] ?? 'mine') === 'mine')
  if (!keptMine) return null
  return {
    op: 'update',
    collection: op.collection,
    record: op.record,
    base_version: op.serverVersion ?? op.base_version ?? null,
    data,
    label: op.label,
  }
}
