import { defineStore } from 'pinia'
import { ref } from 'vue'
import { unreadCount } from '@/api/notifications'

const POLL_MS = 30_000

/** The unread notifications count, polled while signed in. */
export const useNotifications = defineStore('notifications', () => {
  const unread = ref(0)
  let timer: ReturnType<typeof setInterval> | null = null

  async function refresh(): Promise<void> {
    try {
      unread.value = await unreadCount()
    } catch {
      /* keep the last count; the session guard handles 401 */
    }
  }

  function start(): void {
    stop()
    void refresh()
    timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void refresh()
    }, POLL_MS)
  }

  function stop(): void {
    if (timer) clearInterval(timer)
    timer = null
  }

  return { unread, refresh, start, stop }
})
