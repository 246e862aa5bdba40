/**
 * Pure helpers of the settings editors (kept apart from the pages so they are
 * unit-tested): moving a dictionary value, grouping settings and permission
 * codes by module, the working hours with a lunch break as the API's interval
 * string ("09:00-12:00,13:30-18:00").
 */

/** `list` with the item at `from` moved to `to` (a new array). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list]
  if (from < 0 || from >= out.length || to < 0 || to >= out.length || from === to) return out
  const [item] = out.splice(from, 1)
  out.splice(to, 0, item)
  return out
}

export interface Grouped<T> {
  key: string
  label: string
  items: T[]
}

/** Items grouped by `key(item)` in the order the groups first appear. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string, label: (item: T) => string): Grouped<T>[] {
  const groups = new Map<string, Grouped<T>>()
  for (const item of items) {
    const k = key(item)
    let group = groups.get(k)
    if (!group) {
      group = { key: k, label: label(item), items: [] }
      groups.set(k, group)
    }
    group.items.push(item)
  }
  return [...groups.values()]
}

export interface CodeRow {
  code: string
  label: string
  module: string
  module_label: string
  transition: boolean
  app_module: string
  app_module_label: string
}

/** How a permission code reads in the role editor: a step shows its subject ("合同 · 审批"). */
export function codeLabel(row: CodeRow): string {
  return row.transition ? `${row.module_label} · ${row.label}` : row.label
}

export interface DayHours {
  start: string
  end: string
  /** The lunch break, both empty when there is none. */
  lunchStart: string
  lunchEnd: string
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

/** The API's interval string read as a working day with at most one break. */
export function parseIntervals(intervals: string): DayHours {
  const parts = intervals
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split('-').map((x) => x.trim()))
  if (!parts.length) return { start: '09:00', end: '18:00', lunchStart: '', lunchEnd: '' }
  const first = parts[0]
  const last = parts[parts.length - 1]
  return {
    start: first[0] ?? '',
    end: last[1] ?? '',
    lunchStart: parts.length > 1 ? (first[1] ?? '') : '',
    lunchEnd: parts.length > 1 ? (parts[1][0] ?? '') : '',
  }
}

/** The interval string of a working day; null when the times do not make a day. */
export function formatIntervals(day: DayHours): string | null {
  const { start, end, lunchStart, lunchEnd } = day
  if (!HHMM.test(start) || !HHMM.test(end) || start >= end) return null
  if (!lunchStart && !lunchEnd) return `${start}-${end}`
  if (!HHMM.test(lunchStart) || !HHMM.test(lunchEnd)) return null
  if (!(start < lunchStart && lunchStart < lunchEnd && lunchEnd < end)) return null
  return `${start}-${lunchStart},${lunchEnd}-${end}`
}

/** Working hours per day, from the interval string. */
export function dayLength(day: DayHours): number {
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
  if (formatIntervals(day) === null) return 0
  const lunch = day.lunchStart ? minutes(day.lunchEnd) - minutes(day.lunchStart) : 0
  return (minutes(day.end) - minutes(day.start) - lunch) / 60
}
