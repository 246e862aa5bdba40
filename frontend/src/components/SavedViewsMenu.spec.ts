import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import BrowsePage from './BrowsePage.vue'
import { mockApi, mountWith, page } from '@/test/helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  localStorage.clear()
  document.body.innerHTML = ''
})

const VIEWS = [
  { id: 7, collection: 'leads', name: '重点线索', query: { source: 3, ordering: 'id', page: '4' }, columns: ['company_name', 'status'], shared: false, owner: 1, owner_name: '王老板', mine: true, created_at: '2026-12-01T08:00:00+08:00' },
  { id: 8, collection: 'leads', name: '团队线索', query: { status: ['new', 'contacted'] }, columns: [], shared: true, owner: 5, owner_name: '张三', mine: false, created_at: '2026-12-01T08:00:00+08:00' },
]

function api() {
  return mockApi((call) => {
    const path = call.url.pathname
    if (path === '/api/v1/saved-views/' && call.method === 'GET') return [200, page(VIEWS)]
    if (path === '/api/v1/saved-views/' && call.method === 'POST') return [201, { ...(call.body as object), id: 9, owner: 1, owner_name: '王老板', mine: true, created_at: '2026-12-06T08:00:00+08:00' }]
    if (path === '/api/v1/saved-views/7/' && call.method === 'DELETE') return [204, null]
    if (path === '/api/v1/leads/') return [200, page([])]
    return [200, page([])]
  })
}

async function input(selector: string, value: string) {
  const el = document.body.querySelector<HTMLInputElement>(selector)!
  el.value = value
  el.dispatchEvent(new Event('input'))
  await flushPromises()
}

async function openMenu(wrapper: Awaited<ReturnType<typeof mountWith>>['wrapper']) {
  await wrapper.get('[data-testid="saved-views"]').trigger('click')
  await flushPromises()
}

describe('SavedViewsMenu on a list page', () => {
  it('lists the defaults, own and shared views, and applies one to the filters, sort and columns', async () => {
    const calls = api()
    const { wrapper, router } = await mountWith(BrowsePage, { resourceKey: 'leads' }, ['leads.view'], '/leads')
    await openMenu(wrapper)
    const listed = calls.find((c) => c.url.pathname === '/api/v1/saved-views/')!
    expect(listed.url.searchParams.get('collection')).toBe('leads')
    const menu = wrapper.get('[data-testid="saved-views-menu"]')
    expect(menu.get('[data-testid="saved-view-default-mine"]').text()).toBe('我的潜在客户')
    expect(menu.find('[data-testid="saved-view-default-this-week"]').exists()).toBe(true)
    expect(menu.get('[data-testid="saved-view-7"]').text()).toContain('重点线索')
    expect(menu.find('[data-testid="saved-view-delete-7"]').exists()).toBe(true)
    const shared = menu.get('[data-testid="saved-view-8"]')
    expect(shared.text()).toContain('共享')
    expect(shared.text()).toContain('张三')
    expect(shared.find('[data-testid="saved-view-delete-8"]').exists()).toBe(false) // not mine

    await menu.get('[data-testid="saved-view-7"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ source: '3', ordering: 'id' })
    const list = calls.filter((c) => c.url.pathname === '/api/v1/leads/').at(-1)!
    expect(list.url.searchParams.get('source')).toBe('3')
    expect(list.url.searchParams.get('ordering')).toBe('id')
    expect(list.url.searchParams.get('page')).toBe('1')
    const headers = wrapper.findAll('[data-testid="browse-table"] th').map((th) => th.text()).filter(Boolean)
    expect(headers.length).toBe(2)

    await openMenu(wrapper)
    await wrapper.get('[data-testid="saved-view-default-mine"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ owner: '1' })
    expect(calls.filter((c) => c.url.pathname === '/api/v1/leads/').at(-1)!.url.searchParams.get('owner')).toBe('1')
  })

  it('saves the current filters and columns as a named, shared view', async () => {
    const calls = api()
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads' }, ['leads.view'], '/leads?status=new&ordering=-created_at&page=3')
    await openMenu(wrapper)
    await wrapper.get('[data-testid="saved-view-save"]').trigger('click')
    await flushPromises()
    const confirm = document.body.querySelector<HTMLButtonElement>('[data-testid="saved-view-confirm"]')!
    expect(confirm.disabled).toBe(true) // a name first
    await input('input[data-testid="saved-view-name"]', '新线索')
    const check = document.body.querySelector<HTMLElement>('[data-testid="saved-view-shared-check"]')!
    ;(check.tagName === 'INPUT' ? check : check.querySelector<HTMLInputElement>('input')!).click()
    await flushPromises()
    document.body.querySelector<HTMLButtonElement>('[data-testid="saved-view-confirm"]')!.click()
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST' && c.url.pathname === '/api/v1/saved-views/')!
    expect(post.body).toMatchObject({ collection: 'leads', name: '新线索', shared: true, query: { status: ['new'], ordering: '-created_at' } })
    expect((post.body as { query: object }).query).not.toHaveProperty('page')
    expect((post.body as { columns: string[] }).columns.length).toBeGreaterThan(0)
  })

  it('shows the server refusal under the name and deletes an own view after confirming', async () => {
    const calls = mockApi((call) => {
      if (call.url.pathname === '/api/v1/saved-views/' && call.method === 'POST') return [400, { code: 'invalid', detail: '字段无效', fields: { name: ['你已有同名视图。'] } }]
      if (call.url.pathname === '/api/v1/saved-views/' && call.method === 'GET') return [200, page(VIEWS)]
      if (call.method === 'DELETE') return [204, null]
      return [200, page([])]
    })
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads' }, ['leads.view'], '/leads')
    await openMenu(wrapper)
    await wrapper.get('[data-testid="saved-view-save"]').trigger('click')
    await flushPromises()
    await input('input[data-testid="saved-view-name"]', '重点线索')
    document.body.querySelector<HTMLButtonElement>('[data-testid="saved-view-confirm"]')!.click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()
    expect(calls.some((c) => c.method === 'POST')).toBe(true)
    await vi.waitFor(() => expect(document.body.querySelector('.el-form-item__error')?.textContent ?? '').toContain('你已有同名视图。'))

    await openMenu(wrapper)
    await wrapper.get('[data-testid="saved-view-delete-7"]').trigger('click')
    await flushPromises()
    const ok = document.querySelector<HTMLButtonElement>('.el-message-box__btns .el-button--primary')!
    ok.click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()
    expect(calls.some((c) => c.method === 'DELETE' && c.url.pathname === '/api/v1/saved-views/7/')).toBe(true)
  })
})
