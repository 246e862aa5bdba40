import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { i18n, applyLocale } from '@/i18n'
import UpdatePrompt from './UpdatePrompt.vue'
import { applyUpdate, watchForUpdates } from './register'
import { loadMobileMessages } from '@/phone/messages'

beforeAll(() => loadMobileMessages())

afterEach(async () => {
  await applyLocale('zh-CN')
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('UpdatePrompt', () => {
  it('says a new version is out, in Chinese by default, and applies it on request', async () => {
    const wrapper = mount(UpdatePrompt, { global: { plugins: [i18n] }, attachTo: document.body })
    expect(wrapper.get('[data-testid="pwa-update"]').text()).toContain('新版本已发布')
    expect(wrapper.get('[data-testid="pwa-reload"]').text()).toBe('立即更新')
    await wrapper.get('[data-testid="pwa-reload"]').trigger('click')
    expect(wrapper.emitted('update')).toHaveLength(1)
    await wrapper.get('[data-testid="pwa-later"]').trigger('click')
    expect(wrapper.emitted('dismiss')).toHaveLength(1)
  })

  it('speaks English when the user chose it', async () => {
    await applyLocale('en')
    const wrapper = mount(UpdatePrompt, { global: { plugins: [i18n] } })
    expect(wrapper.text()).toContain('A new version is available')
    expect(wrapper.get('[data-testid="pwa-reload"]').text()).toBe('Reload now')
  })
})

/** A stand-in for the browser's ServiceWorkerContainer and a registration. */
function fakeWorkers(controlled: boolean) {
  const listeners: Record<string, Array<() => void>> = {}
  const container = {
    controller: controlled ? {} : null,
    addEventListener: (name: string, fn: () => void) => (listeners[name] ??= []).push(fn),
    fire: (name: string) => (listeners[name] ?? []).forEach((fn) => fn()),
  }
  vi.stubGlobal('navigator', { serviceWorker: container })
  const regListeners: Record<string, Array<() => void>> = {}
  const workerListeners: Array<() => void> = []
  const installing = { state: 'installing', addEventListener: (_: string, fn: () => void) => workerListeners.push(fn) }
  const registration = {
    waiting: null as null | { postMessage: ReturnType<typeof vi.fn> },
    installing: null as null | typeof installing,
    addEventListener: (name: string, fn: () => void) => (regListeners[name] ??= []).push(fn),
  }
  /** The browser found, downloaded and installed a new version that now waits. */
  function newVersionInstalled() {
    registration.installing = installing
    regListeners.updatefound?.forEach((fn) => fn())
    installing.state = 'installed'
    registration.waiting = { postMessage: vi.fn() }
    workerListeners.forEach((fn) => fn())
  }
  return { container, registration, newVersionInstalled }
}

describe('watchForUpdates', () => {
  it('prompts once when a new version waits behind the one in control, and switches on request', () => {
    const { container, registration, newVersionInstalled } = fakeWorkers(true)
    const onUpdate = vi.fn()
    watchForUpdates(registration as unknown as ServiceWorkerRegistration, onUpdate)
    expect(onUpdate).not.toHaveBeenCalled()
    newVersionInstalled()
    expect(onUpdate).toHaveBeenCalledTimes(1)

    const reload = vi.fn()
    applyUpdate(registration as unknown as ServiceWorkerRegistration, reload)
    expect(registration.waiting!.postMessage).toHaveBeenCalledWith({ type: 'SKIP_WAITING' })
    expect(reload).not.toHaveBeenCalled() // only once the new worker controls the page
    container.fire('controllerchange')
    container.fire('controllerchange')
    expect(reload).toHaveBeenCalledTimes(1)
  })

  it('does not prompt on the first install (nothing controls the page yet)', () => {
    const { registration, newVersionInstalled } = fakeWorkers(false)
    const onUpdate = vi.fn()
    watchForUpdates(registration as unknown as ServiceWorkerRegistration, onUpdate)
    newVersionInstalled()
    expect(onUpdate).not.toHaveBeenCalled()
  })

  it('prompts at once for a version that was already waiting when the page loaded', () => {
    const { registration } = fakeWorkers(true)
    registration.waiting = { postMessage: vi.fn() }
    const onUpdate = vi.fn()
    watchForUpdates(registration as unknown as ServiceWorkerRegistration, onUpdate)
    expect(onUpdate).toHaveBeenCalledTimes(1)
  })
})
