import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import MePage from './MePage.vue'
import { mockApi, mountWith, page } from '@/test/helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const PREFS = { reminder: ['in_app', 'email'], escalation: ['in_app'], approval: ['in_app'], announcement: ['in_app'], mention: ['in_app'] }

function api() {
  return mockApi((call) => {
    const path = call.url.pathname
    if (path === '/api/v1/me/notification-preferences/' && call.method === 'GET') return [200, PREFS]
    if (path === '/api/v1/me/notification-preferences/' && call.method === 'PUT') return [200, call.body]
    if (path === '/api/v1/me/sessions/') return [200, page([{ id: 3, client: 'Chrome', ip_address: '10.0.0.1', created_at: '2026-12-01T08:00:00+08:00', expires_at: null, current: true }])]
    if (path === '/api/v1/me/tokens/') return [200, page([{ id: 7, prefix: 'ab12', client: 'script', created_at: '2026-12-01T08:00:00+08:00', last_used_at: null, expires_at: '2026-12-31T08:00:00+08:00', current: false }])]
    if (path === '/api/v1/me/' && call.method === 'PATCH') return [200, { id: 1, username: 'boss', language: 'zh-hans', ...(call.body as object), permissions: [], modules_off: [], avatar_url: null }]
    return [200, {}]
  })
}

describe('MePage', () => {
  it('saves the profile with the rows per page and renders the channels, sessions and tokens', async () => {
    const calls = api()
    const { wrapper } = await mountWith(MePage, {}, [])
    await flushPromises()
    expect(wrapper.get('[data-testid="me-notifications"]').text()).toContain('提醒')
    expect(wrapper.get('[data-testid="me-sessions"]').text()).toContain('Chrome')
    expect(wrapper.find('[data-testid="revoke-session-3"]').exists()).toBe(false) // this browser
    expect(wrapper.find('[data-testid="revoke-token-7"]').exists()).toBe(true)

    await wrapper.get('[data-testid="me-mobile"]').setValue('13812345678')
    await wrapper.get('[data-testid="me-save"]').trigger('click')
    await flushPromises()
    const patch = calls.find((c) => c.method === 'PATCH' && c.url.pathname === '/api/v1/me/')!
    expect(patch.body).toMatchObject({ mobile: '13812345678', page_size: 20, language: 'zh-hans' })

    await wrapper.get('[data-testid="me-notifications-save"]').trigger('click')
    await flushPromises()
    const put = calls.find((c) => c.method === 'PUT')!
    expect(put.body).toEqual(PREFS)
  })
})
