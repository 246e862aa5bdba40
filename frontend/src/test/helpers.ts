import { vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Component } from 'vue'
import { i18n } from '@/i18n'
import { useSession } from '@/stores/session'
import { setChoices, setProcesses } from '@/stores/processes'
import { CHOICES, PROCESSES } from './processes'

export interface Call {
  method: string
  url: URL
  body: unknown
  headers: Headers
}

/** A request body as JSON, or its text (multipart uploads). */
function parseBody(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

/** Replace fetch: `handler(call)` returns [status, body]; every call is recorded. */
export function mockApi(handler: (call: Call) => [number, unknown]) {
  const calls: Call[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : null
    const url = new URL(request ? request.url : String(input), 'http://localhost')
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase()
    const raw = init?.body ?? (request ? await request.text() : undefined)
    const call: Call = {
      method,
      url,
      body: raw ? parseBody(String(raw)) : undefined,
      headers: new Headers(init?.headers ?? request?.headers),
    }
    calls.push(call)
    const [status, body] = handler(call)
    return new Response(status === 204 ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    })
  })
  vi.stubGlobal('fetch', fetchMock)
  return calls
}

export function page<T>(results: T[], count = results.length) {
  return { count, next: null, previous: null, results }
}

export async function mountWith(component: Component, props: Record<string, unknown>, codes: string[] = [], path = '/') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const session = useSession()
  session.me = {
    id: 1,
    username: 'boss',
    email: 'boss@example.cn',
    full_name: '王老板',
    language: 'zh-hans',
    team: null,
    company: '测试公司',
    company_logo: null,
    permissions: codes,
    modules_off: [],
    data_scope: 'all',
    avatar_url: null,
  }
  session.loaded = true
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }],
  })
  await router.push(path)
  await router.isReady()
  i18n.global.locale.value = 'zh-CN'
  setProcesses(PROCESSES, 'zh-CN') // as the API lists them: no request for them in component tests
  setChoices(CHOICES, 'zh-CN')
  const wrapper = mount(component, { props, global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router, session }
}
