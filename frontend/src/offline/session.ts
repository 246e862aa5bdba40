/**
 * The signed-in user, remembered in this browser so the installed app opens
 * without a network (the service worker serves the shell, the offline copy the
 * records); forgotten when the session ends.
 */
import type { Me } from '@/api/types'

const KEY = 'shanghui.offline.me'

export function rememberMe(me: Me): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(me))
  } catch {
    /* storage may be unavailable */
  }
}

export function offlineMe(): Me | null {
  try {
    const text = localStorage.getItem(KEY)
    return text ? (JSON.parse(text) as Me) : null
  } catch {
    return null
  }
}

export function forgetMe(): void {
  try {
    localStorage.removeItem(KEY)
  } catch {
    /* ignore */
  }
}
