import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import StockLinesPanel from './StockLinesPanel.vue'
import EventPanel from './EventPanel.vue'
import { marketingEvents, marketingResources, requisitions, stockReceipts } from '@/resources/marketing'
import { resources } from '@/resources'
import { mockApi, mountWith } from '@/test/helpers'
import marketingZh from '@/i18n/marketing.zh-CN'
import marketingEn from '@/i18n/marketing.en'

const requisition = {
  id: 7,
  number: 'LL000007',
  status: 'draft',
  version: 3,
  purpose: '工博会赠品',
  lines: [
    { id: 1, item: 5, item_code: 'P1', item_name: '宣传册', unit: '本', quantity: '200.00', unit_cost: '2.50' },
    { id: 2, item: 6, item_code: 'G1', item_name: '保温杯', unit: '个', quantity: '20.00', unit_cost: '30.00' },
  ],
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

/** Every leaf key of a catalog, dotted. */
function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('marketing resources', () => {
  it('are registered, and every label they name is in both catalogs', () => {
    const zh = new Set(keys(marketingZh))
    expect(keys(marketingEn).sort()).toEqual([...zh].sort())
    for (const config of Object.values(marketingResources)) {
      expect(resources[config.key]).toBe(config)
      const named = [config.title, config.noun, ...config.fields.map((f) => f.label).filter((l) => l?.startsWith('marketing.'))]
      for (const key of named) expect(zh.has(key as string), `${config.key}: ${key}`).toBe(true)
    }
  })
})

describe('StockLinesPanel', () => {
  it('shows the items and their value; a draft requisition saves its lines with If-Match', async () => {
    const calls = mockApi(() => [200, requisition])
    const { wrapper } = await mountWith(StockLinesPanel, { record: requisition, config: requisitions }, ['marketing.requisition.view', 'marketing.requisition.edit'])
    expect(wrapper.get('[data-testid="lines-table"]').text()).toContain('保温杯')
    expect(wrapper.get('[data-testid="lines-value"]').text()).toBe('¥1,100.00')
    await wrapper.get('[data-testid="edit-lines"]').trigger('click')
    await setNumber(wrapper.get('[data-testid="line-quantity-1"]').element, '25')
    await wrapper.get('[data-testid="line-remove-0"]').trigger('click')
    await wrapper.get('[data-testid="save-lines"]').trigger('click')
    await flushPromises()
    const writes = calls.filter((c) => c.method !== 'GET')
    expect(writes).toHaveLength(1)
    expect(writes[0].method).toBe('PATCH')
    expect(writes[0].url.pathname).toBe('/api/v1/requisitions/7/')
    expect(writes[0].headers.get('If-Match')).toBe('"3"')
    expect(writes[0].body).toEqual({ lines: [{ item: 6, quantity: '25.00' }] })
    expect(wrapper.emitted('changed')).toHaveLength(1)
  })

  it('offers no editing of a confirmed receipt; a receipt line carries its unit cost', async () => {
    mockApi(() => [200, {}])
    const confirmed = { ...requisition, status: 'confirmed' }
    const { wrapper } = await mountWith(StockLinesPanel, { record: confirmed, config: stockReceipts }, ['marketing.stock_receipt.view', 'marketing.stock_receipt.edit'])
    expect(wrapper.find('[data-testid="edit-lines"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="lines-table"]').text()).toContain('¥30.00')
  })
})

describe('EventPanel', () => {
  it('shows the cost, the leads and the cost per lead the server computed', async () => {
    mockApi(() => [200, {}])
    const event = {
      id: 3,
      status: 'finished',
      version: 2,
      expenses: [{ id: 1, description: '展位费', amount: '8000.00', spent_on: null }],
      figures: { expense_cost: '8000.00', goods_cost: '950.00', cost: '8950.00', leads: 4, opportunities: 1, won_amount: '0.00', cost_per_lead: '2237.50' },
    }
    const { wrapper } = await mountWith(EventPanel, { record: event, config: marketingEvents }, ['marketing.event.view'])
    expect(wrapper.get('[data-testid="event-cost"]').text()).toBe('¥8,950.00')
    expect(wrapper.get('[data-testid="event-goods-cost"]').text()).toBe('¥950.00')
    expect(wrapper.get('[data-testid="event-leads"]').text()).toBe('4')
    expect(wrapper.get('[data-testid="event-cost-per-lead"]').text()).toBe('¥2,237.50')
    expect(wrapper.get('[data-testid="expenses-table"]').text()).toContain('展位费')
    expect(wrapper.find('[data-testid="edit-expenses"]').exists()).toBe(false)
  })
})
