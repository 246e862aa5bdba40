/**
 * The service worker (vite-plugin-pwa's generated /sw.js, issue 18): registered
 * once the page has loaded, so it never competes with the first paint. A new
 * version waits until the user agrees (the update prompt); then the waiting
 * worker takes over and the page reloads once.
 *
 * Kept tiny on purpose (no workbox-window): this module is the only PWA code a
 * list page loads; the prompt component is fetched only when an update is ready.
 */

/** What the prompt is given: apply the waiting version (reloads the page). */
export type ApplyUpdate = () => void

import { createApp } from 'vue'
import { i18n } from '@/i18n'
import { loadMobileMessages } from '@/phone/messages'

const HOUR = 60 * 60 * 1000

/** Ask the waiting worker to take over, and reload once it controls the page. */
export function applyUpdate(registration: ServiceWorkerRegistration, reload: () => void = () => window.location.reload()): void {
  const container = navigator.serviceWorker
  let reloaded = false
  container.addEventListener('controllerchange', () => {
    if (reloaded) return
    reloaded = true
    reload()
  })
  registration.waiting?.postMessage({ type: 'SKIP_WAITING' })
}

/**
 * Call `onUpdate` when a new version is installed and waiting while an older
 * one controls the page (the first install needs no prompt).
 */
export function watchForUpdates(registration: ServiceWorkerRegistration, onUpdate: (apply: ApplyUpdate) => void): void {
  const container = navigator.serviceWorker
  let told = false
  const tell = () => {
    if (told || !registration.waiting || !container.controller) return
    told = true
    onUpdate(() => applyUpdate(registration))
  }
  tell()
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed') tell()
    })
  })
}

/** Show the update prompt (its own small chunk) in a container of its own. */
async function showPrompt(apply: ApplyUpdate): Promise<void> {
  const [{ default: UpdatePrompt }] = await Promise.all([import('./UpdatePrompt.vue'), loadMobileMessages()])
  const host = document.createElement('div')
  document.body.appendChild(host)
  const app = createApp(UpdatePrompt, {
    onUpdate: apply,
    onDismiss: () => {
      app.unmount()
      host.remove()
    },
  })
  app.use(i18n)
  app.mount(host)
}

/** Register /sw.js and watch for new versions (checked on load and every hour). */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null
  try {
    const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' })
    watchForUpdates(registration, (apply) => void showPrompt(apply))
    window.setInterval(() => void registration.update().catch(() => undefined), HOUR)
    return registration
  } catch {
    return null // no service worker (private mode, an old browser, not served over HTTPS)
  }
}
