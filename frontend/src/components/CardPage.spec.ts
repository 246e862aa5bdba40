import { afterEach, describe, expect, it, vi } from 'vitest'
import CardPage from './CardPage.vue'
import { mockApi, mountWith, page } from '@/test/helpers'

const lead = {
  id: 7,
  version: 2,
  company_name: '北京星辰科技',
  contact_name: '李明',
  mobile: '+8613812345678',
  email: '',
  need: '销售管理系统',
  status: 'contacted',
  status_label: '已联系',
  owner: 1,
  owner_name: '王老板',
  customer: null,
  activity_count: 1,
  transitions: [
    { name: 'qualify', label: '确认有效', allowed: false, reasons: ['请先描述需求。'], irreversible: false, inputs: [] },
    { name: 'disqualify', label: '标记无效', allowed: true, reasons: [], irreversible: true, inputs: [{ name: 'reason', label: '无效原因', type: 'textarea', required: true, max_length: 300 }] },
  ],
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('CardPage', () => {
  it('shows the groups, the status tag, the transitions and the record timeline', async () => {
    const calls = mockApi((call) => {
      const path = call.url.pathname
      if (path === '/api/v1/leads/7/') return [200, lead]
      if (path === '/api/v1/timeline/')
        return [
          200,
          page([
            { kind: 'transition', id: 1, title: 'contact', actor: '王老板', at: '2026-11-02T10:00:00+08:00', status: 'contacted', source: 'new', target: 'contacted', detail: '' },
            { kind: 'activity', id: 3, title: '首次电话', actor: '王老板', at: '2026-11-02T09:00:00+08:00', status: 'call', detail: '', link: '/activities/3' },
          ]),
        ]
      return [404, { code: 'not_found', detail: 'x' }]
    })
    const { wrapper } = await mountWith(CardPage, { resourceKey: 'leads', id: 7 }, ['leads.view', 'leads.edit', 'activities.create'])
    expect(wrapper.get('[data-testid="card-title"]').text()).toBe('北京星辰科技')
    expect(wrapper.get('[data-testid="status-tag"]').text()).toBe('已联系')
    expect(wrapper.text()).toContain('基本信息')
    expect(wrapper.get('[data-testid="value-owner"]').text()).toBe('王老板')
    expect(wrapper.get('[data-testid="transition-qualify"]').attributes('disabled')).toBeDefined()
    expect(wrapper.get('[data-testid="reasons-qualify"]').text()).toContain('请先描述需求。')
    const timeline = wrapper.get('[data-testid="timeline"]').text()
    expect(timeline).toContain('新线索 → 已联系')
    expect(timeline).toContain('活动：首次电话')
    expect(timeline.indexOf('新线索 → 已联系')).toBeLessThan(timeline.indexOf('活动：首次电话')) // newest first
    // One request for the whole timeline (GET /timeline/?lead=7).
    expect(calls.find((c) => c.url.pathname === '/api/v1/timeline/')!.url.searchParams.get('lead')).toBe('7')
    // Edit for leads.edit, the "log a call" action for activities.create; no delete without leads.delete.
    expect(wrapper.find('[data-testid="card-edit"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="log-activity"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="card-delete"]').exists()).toBe(false)
  })

  it('says so when the record is not there (another company, or out of scope)', async () => {
    mockApi(() => [404, { code: 'not_found', detail: '未找到。' }])
    const { wrapper } = await mountWith(CardPage, { resourceKey: 'customers', id: 99 }, ['customers.view'])
    expect(wrapper.text()).toContain('记录不存在')
  })
})
