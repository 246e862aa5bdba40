/**
 * The offline state the header and the pages show: online or not, the age of
 * the offline copy, the queued operations (pending, rejected, in conflict).
 * `start()` opens the user's database, pushes the outbox and pulls changes at
 * start and on every `online` event, and refreshes the copy every few minutes.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { closeOfflineDb, hasOfflineDb, offlineDb, openOfflineDb, type OutboxOp } from './db'
import { pullChanges, syncedAt } from './cache'
import { discard, isNetworkError, pushOutbox, queued, resolveConflict, retry } from './outbox'
import type { Choice } from './conflicts'

const REFRESH_MS = 5 * 60_000

export const useOffline = defineStore('offline', () => {
  const browserOnline = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
  /** false after a request found no network (until one succeeds again) */
  const reachable = ref(true)
  const online = computed(() => browserOnline.value && reachable.value)
  const lastSync = ref<number | null>(null)
  const ops = ref<OutboxOp[]>([])
  const syncing = ref(false)
  const ready = ref(false)
  const now = ref(Date.now())

  const pending = computed(() => ops.value.filter((op) => op.state === 'pending'))
  const rejected = computed(() => ops.value.filter((op) => op.state === 'rejected'))
  const conflicts = computed(() => ops.value.filter((op) => op.state === 'conflict'))
  /** minutes since the offline copy was refreshed (null: never) */
  const ageMinutes = computed(() => (lastSync.value === null ? null : Math.max(0, Math.floor((now.value - lastSync.value) / 60_000))))

  let timers: number[] = []
  const onOnline = () => {
    browserOnline.value = true
    reachable.value = true
    void sync()
  }
  const onOffline = () => {
    browserOnline.value = false
  }

  async function refresh(): Promise<void> {
    if (!hasOfflineDb()) return
    ops.value = await queued()
    lastSync.value = await syncedAt()
  }

  /** Open the user's offline database and start syncing. */
  async function start(user: string | number): Promise<void> {
    if (ready.value && offlineDb().name.endsWith(`-${user}`)) return
    openOfflineDb(user)
    ready.value = true
    window.addEventListener('online', onOnline)
    window.addEventListener('offline', onOffline)
    timers.forEach((id) => window.clearInterval(id))
    timers = [
      // Every 30 s: the age shown; and, when the server was not reachable or operations
      // wait, another try (a server outage fires no `online` event).
      window.setInterval(() => {
        now.value = Date.now()
        if (browserOnline.value && (!reachable.value || pending.value.length)) void sync()
      }, 30_000),
      window.setInterval(() => browserOnline.value && void sync(), REFRESH_MS),
    ]
    await refresh()
    if (browserOnline.value) void sync()
  }

  function stop(): void {
    window.removeEventListener('online', onOnline)
    window.removeEventListener('offline', onOffline)
    timers.forEach((id) => window.clearInterval(id))
    timers = []
    closeOfflineDb()
    ready.value = false
    ops.value = []
  }

  /** Push the outbox in order, then pull what changed since the cursor. */
  async function sync(): Promise<void> {
    if (!ready.value || syncing.value) return
    syncing.value = true
    try {
      const summary = await pushOutbox()
      if (summary.offline) {
        reachable.value = false
        return
      }
      await pullChanges()
      reachable.value = true
    } catch (error) {
      if (isNetworkError(error)) reachable.value = false
    } finally {
      syncing.value = false
      now.value = Date.now()
      await refresh()
    }
  }

  /** A request found no network: show offline until the next success. */
  function markUnreachable(): void {
    reachable.value = false
  }
  function markReachable(): void {
    reachable.value = true
  }

  async function retryOp(id: string): Promise<void> {
    await retry(id)
    await refresh()
    if (online.value) await sync()
  }
  async function discardOp(id: string): Promise<void> {
    await discard(id)
    await refresh()
  }
  async function resolve(id: string, choices: Record<string, Choice>): Promise<void> {
    await resolveConflict(id, choices)
    await refresh()
    if (online.value) await sync()
  }

  return {
    browserOnline,
    reachable,
    online,
    lastSync,
    ageMinutes,
    ops,
    pending,
    rejected,
    conflicts,
    syncing,
    ready,
    start,
    stop,
    sync,
    refresh,
    markUnreachable,
    markReachable,
    retryOp,
    discardOp,
    resolve,
  }
})
