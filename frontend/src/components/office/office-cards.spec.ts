import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import CustomerOverviewPanel from './CustomerOverviewPanel.vue'
import QuickCreatePage from '@/pages/QuickCreatePage.vue'
import { ONE_CLICK } from '@/resources/office'
import { resources } from '@/resources'
import { mockApi, mountWith, page } from '@/test/helpers'

type Body = Record<string, any>

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const overview = {
  customer: { id: 3, name: '杭州青禾' },
  sections: {
    contacts: { count: 2, results: [{ id: 11, label: '陈经理' }], link: '/contacts?customer=3' },
    opportunities: {
      count: 1,
      results: [{ id: 21, label: 'CRM 项目', status: 'proposal', status_label: '方案', amount: '50000.00' }],
      link: '/opportunities?customer=3',
    },
    contracts: {
      count: 1,
      results: [{ id: 31, label: 'HT-1', status_label: '履行中', amount: '30000.00', collected: '10000.00', outstanding: '20000.00' }],
      link: '/contracts?customer=3',
      totals: { amount: '30000.00', collected: '10000.00', outstanding: '20000.00' },
    },
    complaints: { count: 1, results: [{ id: 41, label: '延迟交付', status_label: '处理中', breached: true }], link: '/complaints?customer=3' },
    visits: { count: 0, results: [], link: '/activities?customer=3&kind=visit' },
  },
}

describe('office on the other cards', () => {
  it('the customer card shows the 360 panel first and offers quick create; cards offer a follow-up, task, event preset with the record', () => {
    expect(resources.customers.panels?.[0].key).toBe('overview')
    expect(resources.customers.pages?.map((p) => p.key)).toContain('quick-create')
    for (const [key, { link }] of Object.entries(ONE_CLICK)) {
      const actions = resources[key].cardActions ?? []
      expect(actions.find((a) => a.testid === 'new-task')?.preset).toEqual({ [link]: '$id' })
      expect(actions.find((a) => a.testid === 'new-event')?.preset).toEqual({ [link]: '$id' })
      expect(actions.filter((a) => a.create === 'follow-ups').length, key).toBeGreaterThan(0)
    }
    expect(resources.contacts.cardActions?.find((a) => a.testid === 'new-follow-up')?.preset).toMatchObject({ customer: '$customer' })
  })
})

describe('CustomerOverviewPanel', () => {
  it('shows each section with its count linking to the filtered list and rows linking to their cards', async () => {
    const calls = mockApi(() => [200, overview])
    const { wrapper } = await mountWith(CustomerOverviewPanel, { record: { id: 3 }, config: resources.customers })
    expect(calls[0].url.pathname).toBe('/api/v1/customers/3/overview/')
    expect(wrapper.get('[data-testid="overview-count-contacts"]').text()).toBe('2')
    expect(wrapper.get('[data-testid="overview-link-contacts"]').attributes('href')).toBe('/contacts?customer=3')
    expect(wrapper.get('[data-testid="overview-link-visits"]').attributes('href')).toBe('/activities?customer=3&kind=visit')
    expect(wrapper.get('[data-testid="overview-contacts"]').find('a[href="/contacts/11"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="overview-opportunities"]').text()).toContain('方案')
    expect(wrapper.get('[data-testid="overview-contracts"]').text()).toContain('20,000.00')
    expect(wrapper.get('[data-testid="overview-complaints"]').text()).toContain('已超时')
    // Sections the API leaves out (no permission) are not shown.
    expect(wrapper.find('[data-testid="overview-tickets"]').exists()).toBe(false)
  })
})

describe('QuickCreatePage', () => {
  const codes = ['customers.create', 'contacts.create', 'leads.create', 'sales.opportunity.create']

  async function fill(wrapper: Awaited<ReturnType<typeof mountWith>>['wrapper']) {
    await wrapper.get('[data-testid="qc-customer"] [data-testid="field-name"]').setValue('杭州青禾')
    await wrapper.get('[data-testid="qc-contact"] [data-testid="field-name"]').setValue('陈经理')
    await wrapper.get('[data-testid="quick-create-form"]').trigger('submit')
    await flushPromises()
  }

  it('sends the three parts in one request, the lead defaulting to the customer and contact', async () => {
    const all = mockApi((call) => (call.method === 'POST' ? [201, { customer: { id: 7 }, contact: { id: 8 }, lead: { id: 9 } }] : [200, page([])]))
    const { wrapper, router } = await mountWith(QuickCreatePage, {}, codes)
    await fill(wrapper)
    const calls = all.filter((c) => c.method === 'POST')
    expect(calls).toHaveLength(1)
    expect(calls[0].url.pathname).toBe('/api/v1/quick-create/')
    const body = calls[0].body as Body
    expect(body.customer).toMatchObject({ name: '杭州青禾', kind: 'company' })
    expect(body.contact).toEqual({ name: '陈经理' })
    expect(body.lead).toMatchObject({ company_name: '杭州青禾', contact_name: '陈经理' })
    expect(body.opportunity).toBeUndefined()
    expect(router.currentRoute.value.path).toBe('/customers/7')
  })

  it('sends an opportunity instead of a lead when chosen', async () => {
    const all = mockApi((call) => (call.method === 'POST' ? [201, { customer: { id: 7 }, contact: { id: 8 }, opportunity: { id: 9 } }] : [200, page([])]))
    const { wrapper } = await mountWith(QuickCreatePage, {}, codes)
    await wrapper.get('[data-testid="qc-kind-opportunity"] input').setValue(true)
    await flushPromises()
    await wrapper.get('[data-testid="qc-opportunity"] [data-testid="field-name"]').setValue('青禾 CRM 项目')
    await fill(wrapper)
    const body = all.find((c) => c.method === 'POST')!.body as Body
    expect(body.opportunity).toMatchObject({ name: '青禾 CRM 项目' })
    expect(body.lead).toBeUndefined()
  })

  it("shows a field's error under that field of its section", async () => {
    mockApi((call) =>
      call.method === 'POST'
        ? [400, { code: 'invalid', detail: '输入有误。', fields: { 'contact.mobile': ['手机号无效。'], 'customer.name': ['名称太长。'] } }]
        : [200, page([])],
    )
    const { wrapper } = await mountWith(QuickCreatePage, {}, codes)
    await fill(wrapper)
    expect(wrapper.get('[data-testid="item-contact-mobile"]').classes()).toContain('is-error')
    expect(wrapper.get('[data-testid="item-customer-name"]').classes()).toContain('is-error')
    // The customer's own mobile is another field: it stays clean, and nothing is left over above the form.
    expect(wrapper.get('[data-testid="item-customer-phone"]').classes()).not.toContain('is-error')
    expect(wrapper.get('[data-testid="item-lead-mobile"]').classes()).not.toContain('is-error')
    expect(wrapper.find('[data-testid="form-error"]').exists()).toBe(false)
  })

  it('names a duplicate customer with a link, and puts the contact and lead on it', async () => {
    const duplicate = { code: 'duplicate', detail: '已有同名客户“杭州青禾”(#5)。', fields: { customer: ['已有同名客户'] }, duplicate: { id: 5, name: '杭州青禾' } }
    const all = mockApi((call) =>
      call.method !== 'POST' ? [200, page([])] : (call.body as Body).link_to ? [201, { customer: { id: 5 }, contact: { id: 8 }, lead: { id: 9 } }] : [409, duplicate],
    )
    const { wrapper, router } = await mountWith(QuickCreatePage, {}, codes)
    await fill(wrapper)
    expect(wrapper.get('[data-testid="qc-duplicate"]').text()).toContain('杭州青禾')
    expect(wrapper.get('[data-testid="qc-duplicate-link"]').attributes('href')).toBe('/customers/5')
    await wrapper.get('[data-testid="qc-link-to"]').trigger('click')
    await flushPromises()
    const calls = all.filter((c) => c.method === 'POST')
    const second = calls[1].body as Body
    expect(second.link_to).toBe(5)
    expect(second.customer).toBeUndefined()
    expect(second.lead.company_name).toBe('杭州青禾')
    expect(router.currentRoute.value.path).toBe('/customers/5')
  })
})
