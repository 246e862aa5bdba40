import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import OpportunityBoard from './OpportunityBoard.vue'
import { mockApi, mountWith, type Call } from '@/test/helpers'
import type { Transition } from '@/api/types'

const CODES = ['sales.opportunity.view', 'sales.opportunity.edit']

function card(id: number, name: string, status: string, amount = '10000.00') {
  return { id, name, status, amount, customer_name: '上海星辰', owner_name: '王老板', expected_close_date: null }
}

function board() {
  const stages: Array<[string, string, number]> = [
    ['initial', '初步接洽', 10],
    ['needs_defined', '需求确认', 30],
    ['proposal', '方案报价', 50],
    ['negotiation', '商务谈判', 70],
    ['won', '赢单', 100],
    ['lost', '输单', 0],
  ]
  const cards: Record<string, ReturnType<typeof card>[]> = {
    initial: [card(1, '星辰 CRM 项目', 'initial', '10000.00')],
    needs_defined: [card(2, '华东分公司扩容', 'needs_defined', '20000.00')],
    negotiation: [card(4, '年度服务续约', 'negotiation', '5000.00')],
  }
  return stages.map(([status, label, probability]) => {
    const results = cards[status] ?? []
    const amount = results.reduce((s, c) => s + Number(c.amount), 0)
    return {
      status,
      label,
      probability,
      count: results.length,
      amount: amount.toFixed(2),
      weighted_amount: ((amount * probability) / 100).toFixed(2),
      results,
    }
  })
}

type Tr = { name: string; label: string; allowed: boolean; reasons: string[]; irreversible: boolean; inputs: Transition['inputs'] }
const tr = (name: string, allowed = true, reasons: string[] = [], irreversible = false): Tr => ({ name, label: name, allowed, reasons, irreversible, inputs: [] })

/** The API: the board, each card's detail with its transitions, and what a POST answers. */
function api(details: Record<number, { status: string; transitions: Tr[] }>, post: (call: Call) => [number, unknown]) {
  return mockApi((call) => {
    const path = call.url.pathname
    if (call.method === 'GET' && path === '/api/v1/opportunities/board/') return [200, board()]
    const detail = path.match(/^\/api\/v1\/opportunities\/(\d+)\/$/)
    if (call.method === 'GET' && detail) {
      const id = Number(detail[1])
      return [200, { ...card(id, `#${id}`, details[id].status), version: 5, ...details[id] }]
    }
    if (call.method === 'POST') return post(call)
    return [404, { code: 'not_found', detail: 'x' }]
  })
}

const column = (wrapper: VueWrapper, status: string) => wrapper.get(`[data-testid="board-column-${status}"]`)

async function drag(wrapper: VueWrapper, id: number, to: string): Promise<void> {
  await wrapper.get(`[data-testid="board-card-${id}"]`).trigger('dragstart')
  await column(wrapper, to).trigger('dragover')
  await column(wrapper, to).trigger('drop')
  await flushPromises()
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('OpportunityBoard', () => {
  it('shows a column per stage with its count, amount and cards', async () => {
    api({}, () => [500, {}])
    const { wrapper } = await mountWith(OpportunityBoard, {}, CODES)
    const columns = wrapper.findAll('[data-testid^="board-column-"]')
    expect(columns.map((c) => c.attributes('data-testid'))).toEqual([
      'board-column-initial',
      'board-column-needs_defined',
      'board-column-proposal',
      'board-column-negotiation',
      'board-column-won',
      'board-column-lost',
    ])
    expect(column(wrapper, 'initial').text()).toContain('初步接洽')
    expect(column(wrapper, 'initial').find('[data-testid="board-card-1"]').text()).toContain('星辰 CRM 项目')
    expect(wrapper.get('[data-testid="board-amount-needs_defined"]').text()).toBe('¥20,000.00')
    expect(column(wrapper, 'proposal').text()).toContain('暂无销售机会')
  })

  it('a drop into the first column (the first stage the API lists) runs reopen', async () => {
    const calls = api({ 2: { status: 'needs_defined', transitions: [tr('reopen')] } }, () => [200, { ...card(2, '华东分公司扩容', 'initial'), version: 6 }])
    const { wrapper } = await mountWith(OpportunityBoard, {}, CODES)
    await drag(wrapper, 2, 'initial')
    expect(calls.find((c) => c.method === 'POST')!.url.pathname).toBe('/api/v1/opportunities/2/transitions/reopen/')
    expect(column(wrapper, 'initial').find('[data-testid="board-card-2"]').exists()).toBe(true)
  })

  it('a successful drop runs the stage transition and moves the card', async () => {
    const calls = api({ 1: { status: 'initial', transitions: [tr('needs_defined'), tr('lost')] } }, () => [
      200,
      { ...card(1, '星辰 CRM 项目', 'needs_defined'), probability: 30, version: 6 },
    ])
    const { wrapper } = await mountWith(OpportunityBoard, {}, CODES)
    await drag(wrapper, 1, 'needs_defined')

    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url.pathname).toBe('/api/v1/opportunities/1/transitions/needs_defined/')
    expect(post.headers.get('If-Match')).toBe('"5"')
    expect(column(wrapper, 'needs_defined').find('[data-testid="board-card-1"]').exists()).toBe(true)
    expect(column(wrapper, 'initial').find('[data-testid="board-card-1"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="board-count-needs_defined"]').text()).toContain('2')
    expect(wrapper.get('[data-testid="board-amount-needs_defined"]').text()).toBe('¥30,000.00')
    expect(wrapper.get('[data-testid="board-amount-initial"]').text()).toBe('¥0.00')
    expect(wrapper.find('[data-testid="board-refusal"]').exists()).toBe(false)
  })

  it('a drop the server refuses snaps the card back and shows the reasons', async () => {
    const calls = api({ 2: { status: 'needs_defined', transitions: [tr('proposal'), tr('lost')] } }, () => [
      409,
      { code: 'guard_failed', detail: '不满足条件', reasons: ['请先记录至少一条客户需求。'] },
    ])
    const { wrapper } = await mountWith(OpportunityBoard, {}, CODES)
    await drag(wrapper, 2, 'proposal')

    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1)
    expect(column(wrapper, 'needs_defined').find('[data-testid="board-card-2"]').exists()).toBe(true)
    expect(column(wrapper, 'proposal').find('[data-testid="board-card-2"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="board-count-proposal"]').text()).toContain('0')
    expect(wrapper.get('[data-testid="board-amount-needs_defined"]').text()).toBe('¥20,000.00')
    const refusal = wrapper.get('[data-testid="board-refusal"]').text()
    expect(refusal).toContain('不能移到“方案报价”')
    expect(refusal).toContain('请先记录至少一条客户需求。')
  })

  it('a blocked transition is not even posted: the card snaps back with the guard reasons', async () => {
    const calls = api({ 2: { status: 'needs_defined', transitions: [tr('proposal', false, ['请先记录至少一条客户需求。'])] } }, () => [200, {}])
    const { wrapper } = await mountWith(OpportunityBoard, {}, CODES)
    await drag(wrapper, 2, 'proposal')

    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
    expect(column(wrapper, 'needs_defined').find('[data-testid="board-card-2"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="board-refusal"]').text()).toContain('请先记录至少一条客户需求。')
  })

  it('a jump over stages is no step of the process: the card snaps back', async () => {
    const calls = api({ 1: { status: 'initial', transitions: [tr('needs_defined'), tr('lost')] } }, () => [200, {}])
    const { wrapper } = await mountWith(OpportunityBoard, {}, CODES)
    await drag(wrapper, 1, 'negotiation')

    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
    expect(column(wrapper, 'initial').find('[data-testid="board-card-1"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="board-refusal"]').text()).toContain('不能从“初步接洽”直接移到“商务谈判”')
  })

  it('an irreversible step (won) asks in the transition dialog before it runs', async () => {
    const calls = api({ 4: { status: 'negotiation', transitions: [tr('won', true, [], true), tr('lost')] } }, () => [
      200,
      { ...card(4, '年度服务续约', 'won', '5000.00'), version: 6 },
    ])
    const { wrapper } = await mountWith(OpportunityBoard, {}, CODES)
    await drag(wrapper, 4, 'won')
    await new Promise((resolve) => setTimeout(resolve, 50))

    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0) // not before the user confirms
    expect(document.body.querySelector('[data-testid="transition-consequence"]')?.textContent).toContain('不可撤销')
    document.body.querySelector<HTMLButtonElement>('[data-testid="transition-confirm"]')!.click()
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 50))

    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url.pathname).toBe('/api/v1/opportunities/4/transitions/won/')
    expect(column(wrapper, 'won').find('[data-testid="board-card-4"]').exists()).toBe(true)
    expect(column(wrapper, 'negotiation').find('[data-testid="board-card-4"]').exists()).toBe(false)
  })
})
