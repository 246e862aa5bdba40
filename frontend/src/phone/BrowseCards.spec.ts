import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import BrowsePage from '@/components/BrowsePage.vue'
import { mockApi, mountWith, page } from '@/test/helpers'
import { resetPhoneQuery } from './usePhone'

const rows = [
  { id: 2, company_name: '北京星辰科技', contact_name: '李明', mobile: '+8613812345678', source: null, status: 'new', status_label: '新线索', owner: 1, owner_name: '王老板', activity_count: 0, version: 1 },
  { id: 1, company_name: '<img src=x onerror=alert(1)>', contact_name: '', mobile: '', status: 'contacted', status_label: '已联系', owner: null, owner_name: null, activity_count: 2, version: 4 },
]

/** The window is `width` pixels wide, as far as media queries go. */
function viewport(width: number): void {
  vi.stubGlobal('matchMedia', (query: string) => {
    const max = /max-width:\s*(\d+)px/.exec(query)
    return {
      matches: max ? width <= Number(max[1]) : false,
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    }
  })
  resetPhoneQuery()
}

function api() {
  return mockApi((call) => {
    if (call.url.pathname === '/api/v1/leads/' && call.method === 'GET') return [200, page(rows, 45)]
    return [200, page([])]
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
  resetPhoneQuery()
  localStorage.clear()
  document.body.innerHTML = ''
})

describe('list card mode (phones)', () => {
  it('shows the rows as cards with the key fields, not a table, below 768 px', async () => {
    viewport(375)
    api()
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads' }, ['leads.view', 'leads.create'], '/leads')
    await flushPromises()
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="browse-card"]')).toHaveLength(2))
    expect(wrapper.find('.el-table').exists()).toBe(false)

    const [first, second] = wrapper.findAll('[data-testid="browse-card"]')
    const link = first.get('[data-testid="row-link"]')
    expect(link.text()).toBe('北京星辰科技')
    expect(link.attributes('href')).toBe('/leads/2')
    expect(first.text()).toContain('新线索') // the status
    expect(first.get('[data-testid="card-field-contact_name"]').text()).toContain('李明')
    // The phone number calls and texts.
    expect(first.get('[data-testid="tel-link"]').attributes('href')).toBe('tel:+8613812345678')
    expect(first.get('[data-testid="tel-link"]').text()).toBe('138 1234 5678')
    expect(first.get('[data-testid="sms-link"]').attributes('href')).toBe('sms:+8613812345678')
    // Empty fields are left out; user data stays text.
    expect(second.find('[data-testid="card-field-mobile"]').exists()).toBe(false)
    expect(second.get('[data-testid="row-link"]').text()).toBe('<img src=x onerror=alert(1)>')
    expect(wrapper.find('img').exists()).toBe(false)
    // The pager is the short one; the filters wait behind their button.
    expect(wrapper.find('.el-pagination__sizes').exists()).toBe(false)
    expect(wrapper.get('.browse-toolbar').attributes('style')).toContain('display: none')
    await wrapper.get('[data-testid="toggle-filters"]').trigger('click')
    expect(wrapper.get('.browse-toolbar').attributes('style') ?? '').not.toContain('display: none')
  })

  it('keeps the table on a desktop-wide window', async () => {
    viewport(1440)
    api()
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads' }, ['leads.view'], '/leads')
    await flushPromises()
    expect(wrapper.find('.el-table').exists()).toBe(true)
    expect(wrapper.find('[data-testid="browse-cards"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="toggle-filters"]').exists()).toBe(false)
    expect(wrapper.find('.el-pagination__sizes').exists()).toBe(true)
    // Phone numbers are tel: links at every width; the text-message link is for phones.
    expect(wrapper.find('.el-table [data-testid="tel-link"]').attributes('href')).toBe('tel:+8613812345678')
    expect(wrapper.find('[data-testid="sms-link"]').exists()).toBe(false)
  })

  it('offers the row transitions of a variant (the public pool) on each card', async () => {
    viewport(375)
    const calls = api()
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads', variantKey: 'pool' }, ['leads.view', 'leads.edit'], '/leads/pool')
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="browse-card"] [data-testid="row-claim"]')).toHaveLength(2))
    await wrapper.findAll('[data-testid="row-claim"]')[0].trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')!.url.pathname).toBe('/api/v1/leads/2/transitions/claim/')
  })
})
