/**
 * SLA clocks shown as countdowns: which clock of a record is running, and how
 * far it is from its deadline. Pure functions (the component ticks `now`).
 */
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import type { FieldDef, SlaClock } from '@/resources/types'

/**
 * `ok`: running, far from the deadline; `close`: running, within the warning
 * window; `overdue`: running past the deadline; `met`: stopped in time;
 * `late`: stopped after the deadline; `none`: no deadline.
 */
export type SlaState = 'none' | 'ok' | 'close' | 'overdue' | 'met' | 'late'

export interface ClockValue {
  due: string | null
  done: string | null
  label?: string
}

/** Default warning window: the last two hours before a deadline show amber. */
export const WARN_MINUTES = 120

function time(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null
  const ms = new Date(String(value)).getTime()
  return Number.isNaN(ms) ? null : ms
}

/** The state of a clock at `now`, and the milliseconds left (negative: overdue or late by). */
export function slaState(due: unknown, done: unknown, now: number, warnMinutes = WARN_MINUTES): { state: SlaState; ms: number } {
  const dueMs = time(due)
  if (dueMs === null) return { state: 'none', ms: 0 }
  const doneMs = time(done)
  if (doneMs !== null) return { state: doneMs <= dueMs ? 'met' : 'late', ms: dueMs - doneMs }
  const ms = dueMs - now
  if (ms <= 0) return { state: 'overdue', ms }
  return { state: ms <= warnMinutes * 60_000 ? 'close' : 'ok', ms }
}

/**
 * The clock a record shows: the first one running (a deadline, not yet met),
 * else the last one that has a deadline (met or late), else none.
 */
export function pickClock(field: FieldDef, record: Record<string, unknown>): ClockValue {
  const clocks: SlaClock[] = field.clocks ?? [{ due: field.name, done: '' }]
  const value = (c: SlaClock): ClockValue => ({
    due: (record[c.due] as string | null) ?? null,
    done: c.done ? ((record[c.done] as string | null) ?? null) : null,
    label: c.label,
  })
  const running = clocks.find((c) => time(record[c.due]) !== null && (!c.done || time(record[c.done]) === null))
  if (running) return value(running)
  const stopped = [...clocks].reverse().find((c) => time(record[c.due]) !== null)
  return stopped ? value(stopped) : { due: null, done: null }
}

/** Whole days, hours and minutes of a duration (absolute value). */
export function splitDuration(ms: number): { d: number; h: number; m: number } {
  const minutes = Math.floor(Math.abs(ms) / 60_000)
  return { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60), m: minutes % 60 }
}

// One timer for every countdown on the page (a list shows many).
const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | null = null
/** How often the countdowns refresh. */
export const TICK_MS = 15_000

/** The current time, refreshed while at least one countdown is mounted. */
export function useNow(): Ref<number> {
  now.value = Date.now() // the first paint must not use the time of an earlier page
  onMounted(() => {
    users += 1
    if (!timer) timer = setInterval(() => (now.value = Date.now()), TICK_MS)
  })
  onBeforeUnmount(() => {
    users -= 1
    if (users <= 0 && timer) {
      clearInterval(timer)
      timer = null
      users = 0
    }
  })
  return now
}
