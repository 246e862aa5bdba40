import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import LinesPanel from './LinesPanel.vue'
import InstallmentsPanel from './InstallmentsPanel.vue'
import TransitionButtons from '../TransitionButtons.vue'
import { contracts, quotes } from '@/resources/sales'
import { mockApi, mountWith } from '@/test/helpers'
import salesZh from '@/i18n/sales.zh-CN'
import salesEn from '@/i18n/sales.en'
import { applyLocale, i18n } from '@/i18n'

const quote = {
  id: 9,
  opportunity: 3,
  opportunity_name: '星辰 CRM 项目',
  version: 2, // the revision number
  row_version: 4, // the lock
  status: 'draft',
  subtotal: '2500.00',
  total: '2450.00',
  lines: [
    { id: 1, product: 5, product_name: 'CRM 标准版', description: 'CRM 标准版', quantity: '2.00', unit_price: '1000.00', discount_percent: '0.00', amount: '2000.00' },
    { id: 2, product: 6, product_name: '实施服务', description: '实施服务', quantity: '1.00', unit_price: '500.00', discount_percent: '10.00', amount: '450.00' },
  ],
  transitions: [{ name: 'submit', label: '提交审批', allowed: true, reasons: [], irreversible: false, inputs: [] }],
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

async function setNumber(root: Element, value: string): Promise<void> {
  const input = root.querySelector('input')!
  input.value = value
  input.dispatchEvent(new Event('input'))
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

describe('LinesPanel', () => {
  it('shows the lines with the totals the server computed', async () => {
    mockApi(() => [200, {}])
    const { wrapper } = await mountWith(LinesPanel, { record: quote, config: quotes }, ['sales.quote.view'])
    const table = wrapper.get('[data-testid="lines-table"]').text()
    expect(table).toContain('CRM 标准版')
    expect(table).toContain('¥450.00')
    expect(wrapper.get('[data-testid="lines-subtotal"]').text()).toBe('¥2,500.00')
    expect(wrapper.get('[data-testid="lines-total"]').text()).toBe('¥2,450.00')
    expect(wrapper.find('[data-testid="edit-lines"]').exists()).toBe(false) // no sales.quote.edit
  })

  it('edits a draft quote: the whole lines list is PATCHed with the lock (row_version) as If-Match', async () => {
    const calls = mockApi(() => [200, { ...quote, row_version: 5 }])
    const { wrapper } = await mountWith(LinesPanel, { record: quote, config: quotes }, ['sales.quote.view', 'sales.quote.edit'])
    await wrapper.get('[data-testid="edit-lines"]').trigger('click')
    await setNumber(wrapper.get('[data-testid="line-quantity-0"]').element, '3')
    expect(wrapper.get('[data-testid="draft-total"]').text()).toBe('¥3,450.00')
    await wrapper.get('[data-testid="line-remove-1"]').trigger('click')
    expect(wrapper.get('[data-testid="draft-total"]').text()).toBe('¥3,000.00')
    await wrapper.get('[data-testid="save-lines"]').trigger('click')
    await flushPromises()

    const writes = calls.filter((c) => c.method !== 'GET') // the product choosers read /products/
    expect(writes).toHaveLength(1)
    expect(writes[0].method).toBe('PATCH')
    expect(writes[0].url.pathname).toBe('/api/v1/quotes/9/')
    expect(writes[0].headers.get('If-Match')).toBe('"4"')
    expect(writes[0].body).toEqual({
      lines: [{ product: 5, description: 'CRM 标准版', quantity: '3.00', unit_price: '1000.00', discount_percent: '0.00' }],
    })
    expect(wrapper.emitted('changed')).toHaveLength(1)
  })

  it('shows the API refusal of a line and stays in edit mode', async () => {
    mockApi(() => [400, { code: 'invalid', detail: '有字段无效。', fields: { lines: ['第 1 行：请选择产品。'] } }])
    const { wrapper } = await mountWith(LinesPanel, { record: quote, config: quotes }, ['sales.quote.view', 'sales.quote.edit'])
    await wrapper.get('[data-testid="edit-lines"]').trigger('click')
    await wrapper.get('[data-testid="save-lines"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="lines-error"]').text()).toContain('第 1 行：请选择产品。')
    expect(wrapper.find('[data-testid="lines-editor"]').exists()).toBe(true)
    expect(wrapper.emitted('changed')).toBeUndefined()
  })

  it('offers no editing once the quote left the draft state', async () => {
    mockApi(() => [200, {}])
    const { wrapper } = await mountWith(LinesPanel, { record: { ...quote, status: 'approved' }, config: quotes }, ['sales.quote.view', 'sales.quote.edit'])
    expect(wrapper.find('[data-testid="edit-lines"]').exists()).toBe(false)
  })
})

describe('quote transitions', () => {
  it('send the lock (row_version), not the revision number, as If-Match', async () => {
    const calls = mockApi(() => [200, { ...quote, status: 'submitted', transitions: [] }])
    const { wrapper } = await mountWith(TransitionButtons, { config: quotes, record: quote }, ['sales.quote.view'])
    await wrapper.get('[data-testid="transition-submit"]').trigger('click')
    await flushPromises()
    expect(calls[0].url.pathname).toBe('/api/v1/quotes/9/transitions/submit/')
    expect(calls[0].headers.get('If-Match')).toBe('"4"')
  })
})

describe('revising a quote', () => {
  it('opens the new version after `revise` (and stays for other steps)', async () => {
    const calls = mockApi(() => [200, { count: 1, next: null, previous: null, results: [{ id: 10, version: 3 }] }])
    expect(await quotes.afterTransition!('revise', quote)).toBe('/quotes/10')
    expect(calls[0].url.pathname).toBe('/api/v1/quotes/')
    expect(calls[0].url.searchParams.get('opportunity')).toBe('3')
    expect(calls[0].url.searchParams.get('is_latest')).toBe('true')
    expect(await quotes.afterTransition!('submit', quote)).toBeNull()
    expect(calls).toHaveLength(1)
  })
})

describe('InstallmentsPanel', () => {
  const contract = {
    id: 12,
    version: 3,
    status: 'active',
    amount: '30000.00',
    installments: [
      { id: 21, sequence: 1, due_date: '2025-03-31', amount: '10000.00', collected_amount: '10000.00', outstanding: '0.00', status: 'collected', note: '' },
      { id: 22, sequence: 2, due_date: '2025-06-30', amount: '20000.00', collected_amount: '0.00', outstanding: '20000.00', status: 'open', note: '' },
    ],
  }

  it('lists the plan and offers to record a payment on what is outstanding only', async () => {
    mockApi(() => [200, {}])
    const { wrapper } = await mountWith(InstallmentsPanel, { record: contract, config: contracts }, ['sales.contract.view', 'sales.payment.create'])
    const table = wrapper.get('[data-testid="installments-table"]').text()
    expect(table).toContain('已收齐')
    expect(table).toContain('未收齐')
    expect(wrapper.get('[data-testid="plan-total"]').text()).toBe('¥30,000.00')
    expect(wrapper.find('[data-testid="record-payment-1"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="record-payment-2"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="edit-plan"]').exists()).toBe(false) // signed: frozen
  })

  it('edits the plan of a draft contract with the contract version as If-Match', async () => {
    const calls = mockApi(() => [200, {}])
    const draft = { ...contract, status: 'draft' }
    const { wrapper } = await mountWith(InstallmentsPanel, { record: draft, config: contracts }, ['sales.contract.view', 'sales.contract.edit'])
    await wrapper.get('[data-testid="edit-plan"]').trigger('click')
    await setNumber(wrapper.get('[data-testid="plan-amount-1"]').element, '15000')
    await wrapper.get('[data-testid="save-plan"]').trigger('click')
    await flushPromises()
    const writes = calls.filter((c) => c.method !== 'GET')
    expect(writes).toHaveLength(1)
    expect(writes[0].method).toBe('PATCH')
    expect(writes[0].headers.get('If-Match')).toBe('"3"')
    expect(writes[0].body).toEqual({
      installments: [
        { due_date: '2025-03-31', amount: '10000.00', note: '' },
        { due_date: '2025-06-30', amount: '15000.00', note: '' },
      ],
    })
  })
})

describe('sales catalogs', () => {
  function keys(value: unknown, prefix = ''): string[] {
    if (value === null || typeof value !== 'object') return [prefix]
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
  }

  it('zh-CN and en have the same keys', () => {
    expect(keys(salesEn).sort()).toEqual(keys(salesZh).sort())
  })

  it('are merged deeply into the main catalogs, in both languages', async () => {
    const t = i18n.global.t as (key: string) => string
    expect(t('sales.board.title')).toBe('销售看板')
    expect(t('fields.quote_version')).toBe('版本')
    expect(t('transition.consequence.payments.reverse')).toContain('红冲单')
    expect(t('transition.consequence.leads.convert')).toContain('创建客户') // the main catalog's keys stay
    expect(t('fields.company_name')).toBe('公司名称')
    await applyLocale('en')
    try {
      expect(t('sales.board.title')).toBe('Sales board')
      expect(t('fields.company_name')).toBe('Company name')
    } finally {
      await applyLocale('zh-CN')
    }
  })
})
