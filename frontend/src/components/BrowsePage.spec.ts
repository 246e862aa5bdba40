import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import BrowsePage from './BrowsePage.vue'
import { mockApi, mountWith, page } from '@/test/helpers'

const rows = [
  { id: 2, company_name: '北京星辰科技', contact_name: '李明', mobile: '+8613812345678', status: 'new', status_label: '新线索', owner: 1, owner_name: '王老板', activity_count: 0, version: 1 },
  { id: 1, company_name: '<img src=x onerror=alert(1)>', contact_name: '', mobile: '', status: 'contacted', status_label: '已联系', owner: null, owner_name: null, activity_count: 2, version: 4 },
]

afterEach(() => {
  vi.unstubAllGlobals()
  localStorage.clear()
  document.body.innerHTML = ''
})

function api() {
  return mockApi((call) => {
    if (call.url.pathname === '/api/v1/leads/' && call.method === 'GET') return [200, page(rows, 45)]
    if (call.url.pathname === '/api/v1/users/') return [200, page([{ id: 5, username: 'rep', full_name: '张三', is_active: true }])]
    if (call.method === 'PATCH') return [200, {}]
    return [200, page([])]
  })
}

const LEAD_CODES = ['leads.view', 'leads.create', 'leads.edit']

describe('BrowsePage', () => {
  it('asks the server for the page, ordering and filters in the URL, and renders rows as text', async () => {
    const calls = api()
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads' }, LEAD_CODES, '/leads?status=new&status=contacted&search=bjxc&ordering=-created_at&page=2')
    const list = calls.find((c) => c.url.pathname === '/api/v1/leads/')!
    expect(list.url.searchParams.getAll('status')).toEqual(['new', 'contacted'])
    expect(list.url.searchParams.get('search')).toBe('bjxc')
    expect(list.url.searchParams.get('ordering')).toBe('-created_at')
    expect(list.url.searchParams.get('page')).toBe('2')
    expect(list.url.searchParams.get('page_size')).toBe('20')
    expect(list.headers.get('Accept-Language')).toBe('zh-hans')

    expect(wrapper.get('[data-testid="browse-total"]').text()).toContain('45')
    const links = wrapper.findAll('[data-testid="row-link"]')
    expect(links.map((l) => l.text())).toEqual(['北京星辰科技', '<img src=x onerror=alert(1)>'])
    expect(links[0].attributes('href')).toBe('/leads/2')
    expect(wrapper.find('img').exists()).toBe(false) // user data is never HTML
    expect(wrapper.text()).toContain('新线索')
  })

  it('points the export button at the export endpoint with the same filters', async () => {
    api()
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads' }, LEAD_CODES, '/leads?status=new&search=bj')
    const href = wrapper.get('[data-testid="export"]').attributes('href')!
    const url = new URL(href, 'http://localhost')
    expect(url.pathname).toBe('/api/v1/leads/export/')
    expect(url.searchParams.get('file_format')).toBe('xlsx')
    expect(url.searchParams.get('status')).toBe('new')
    expect(url.searchParams.get('search')).toBe('bj')
    expect(url.searchParams.has('page')).toBe(false)
  })

  it('adds the variant query (the public pool) and offers its row transitions', async () => {
    const calls = api()
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads', variantKey: 'pool' }, LEAD_CODES, '/leads/pool')
    const list = calls.find((c) => c.url.pathname === '/api/v1/leads/')!
    expect(list.url.searchParams.get('pool')).toBe('true')
    const claims = wrapper.findAll('.el-table__body [data-testid="row-claim"]')
    expect(claims).toHaveLength(2)
    expect(wrapper.find('[data-testid="create"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="bulk-reassign"]').exists()).toBe(false)

    await claims[0].trigger('click')
    await flushPromises()
    const claim = calls.find((c) => c.method === 'POST')!
    expect(claim.url.pathname).toBe('/api/v1/leads/2/transitions/claim/')
  })

  it('hides create, bulk reassign and sorting affordances the user may not use', async () => {
    api()
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads' }, ['leads.view'], '/leads')
    expect(wrapper.find('[data-testid="create"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="bulk-reassign"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="export"]').exists()).toBe(true)
  })

  it('shows only the chosen columns and remembers the choice', async () => {
    api()
    localStorage.setItem('shanghui.columns.leads', JSON.stringify(['company_name', 'email']))
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads' }, LEAD_CODES, '/leads')
    const headers = wrapper.findAll('th').map((th) => th.text()).filter(Boolean)
    expect(headers).toEqual(['公司名称', '电子邮箱'])
  })

  it('reassigns the owner of the selected rows with one PATCH per row', async () => {
    // Leads and customers transfer in one request (bulk-transfer); events still PATCH per row.
    const calls = mockApi((call) => {
      if (call.url.pathname === '/api/v1/marketing-events/' && call.method === 'GET') return [200, page(rows, 2)]
      if (call.url.pathname === '/api/v1/users/') return [200, page([{ id: 5, username: 'rep', full_name: '张三', is_active: true }])]
      if (call.method === 'PATCH') return [200, {}]
      return [200, page([])]
    })
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'marketing-events' }, ['marketing.event.view', 'marketing.event.edit'], '/marketing-events')
    const vm = wrapper.vm as unknown as { $: { setupState: Record<string, unknown> } }
    const state = vm.$.setupState
    state.selection = rows
    state.reassignTo = 5
    await (state.reassign as () => Promise<void>)()
    await flushPromises()
    const patches = calls.filter((c) => c.method === 'PATCH')
    expect(patches.map((p) => p.url.pathname)).toEqual(['/api/v1/marketing-events/2/', '/api/v1/marketing-events/1/'])
    expect(patches.map((p) => p.body)).toEqual([{ owner: 5 }, { owner: 5 }])
    expect(patches[1].headers.get('If-Match')).toBe('"4"')
  })
})
