import { afterEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import { nextTick } from 'vue'
import { mockApi, mountWith } from '@/test/helpers'
import PermissionPicker from './PermissionPicker.vue'
import SettingsPage from '@/pages/SettingsPage.vue'

enableAutoUnmount(afterEach)
afterEach(() => {
  vi.unstubAllGlobals()
})

const CODES = [
  { code: 'sales.contract.view', label: '查看合同', module: 'sales.contract', module_label: '合同', transition: false, app_module: 'sales', app_module_label: '销售' },
  { code: 'transition:contract.approve', label: '审批', module: 'transition:contract', module_label: '合同', transition: true, app_module: 'sales', app_module_label: '销售' },
  { code: 'users.view', label: '查看用户', module: 'users', module_label: '用户', transition: false, app_module: 'system', app_module_label: '系统' },
]

describe('PermissionPicker', () => {
  it('groups codes by module, names a step with its subject, and toggles codes', async () => {
    mockApi((call) => (call.url.pathname === '/api/v1/roles/codes/' ? [200, CODES] : [404, {}]))
    const { wrapper } = await mountWith(PermissionPicker, { modelValue: ['users.view', 'marketing.kept'], testid: 'field-permissions' })
    await flushPromises()
    const groups = wrapper.findAll('[data-testid^="codes-group-"]')
    expect(groups.map((g) => g.attributes('data-testid'))).toEqual(['codes-group-sales', 'codes-group-system'])
    expect(wrapper.get('[data-testid="code-transition:contract.approve"]').text()).toBe('合同 · 审批')
    expect(groups[1].text()).toContain('1 / 1')
    await wrapper.get('[data-testid="codes-all-sales"]').trigger('click')
    const emitted = wrapper.emitted('update:modelValue')!.at(-1)![0] as string[]
    // A code of a module switched off (not listed) stays in the role.
    expect(emitted).toEqual(['marketing.kept', 'sales.contract.view', 'transition:contract.approve', 'users.view'])
  })
})

const FIELDS = [
  { key: 'pool_idle_days', label: '公海回收天数', module: 'leads', module_label: '线索与公海', unit: 'days', min: 1, max: 365, default: 30, value: 30 },
  { key: 'daily_claim_cap', label: '每日领取上限', module: 'leads', module_label: '线索与公海', unit: 'count', min: 0, max: 10000, default: 20, value: 20 },
  { key: 'complaint_warning_hours', label: '投诉预警', module: 'service', module_label: '售后服务', unit: 'hours', min: 0, max: 100, default: 1, value: 1 },
  { key: 'messaging_escalations_bypass_quiet', label: '升级绕过免打扰', module: 'messaging', module_label: '消息', unit: 'switch', min: 0, max: 1, default: 0, value: 0 },
]

describe('SettingsPage', () => {
  it('groups the policies by module with units and limits, saves only what changed, shows a field error', async () => {
    let fail = false
    const calls = mockApi((call) => {
      if (call.url.pathname === '/api/v1/settings/fields/') return [200, FIELDS]
      if (call.url.pathname === '/api/v1/settings/' && call.method === 'PATCH') {
        if (fail) return [400, { code: 'invalid', detail: '输入有误', fields: { pool_idle_days: ['确保该值小于或者等于 365。'] } }]
        return [200, { pool_idle_days: 45, daily_claim_cap: 20, complaint_warning_hours: 1, messaging_escalations_bypass_quiet: 0 }]
      }
      return [404, {}]
    })
    const { wrapper } = await mountWith(SettingsPage, {}, ['settings.edit', 'roles.view', 'calendar.view'])
    const leads = wrapper.get('[data-testid="settings-group-leads"]')
    expect(leads.text()).toContain('线索与公海')
    expect(leads.text()).toContain('天')
    expect(leads.text()).toContain('范围 1–365')
    expect(wrapper.get('[data-testid="settings-group-service"]').text()).toContain('小时')
    expect(wrapper.find('[data-testid="settings-calendar-link"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="settings-bands-link"]').exists()).toBe(false)

    const input = wrapper.get('[data-testid="setting-pool_idle_days"] input')
    await input.setValue('45')
    await input.trigger('blur')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const patch = calls.find((c) => c.method === 'PATCH')!
    expect(patch.body).toEqual({ pool_idle_days: 45 })

    fail = true
    await input.setValue('9999')
    await input.trigger('blur')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'PATCH').at(-1)!.body).toEqual({ pool_idle_days: 9999 })
    await nextTick()
    // The field's own item is marked (Element Plus animates the message in the browser).
    const items = wrapper.get('[data-testid="settings-group-leads"]').findAll('.el-form-item')
    expect(items.map((i) => i.classes().includes('is-error'))).toEqual([true, false])
  })
})

describe('OptionSelect with a deactivated value', () => {
  it('shows the value an old record holds, marked, without offering it to others', async () => {
    const { default: OptionSelect } = await import('@/components/OptionSelect.vue')
    const { clearDictionaryCache } = await import('@/stores/lookups')
    clearDictionaryCache()
    mockApi((call) => {
      if (call.url.pathname === '/api/v1/dictionary/') {
        expect(call.url.searchParams.get('active')).toBe('true')
        return [200, { count: 1, next: null, previous: null, results: [{ id: 1, label: '制造业' }] }]
      }
      if (call.url.pathname === '/api/v1/dictionary/9/') return [200, { id: 9, label: '采矿业', active: false }]
      return [404, {}]
    })
    const { wrapper } = await mountWith(OptionSelect, { source: 'dict', dict: 'industry', modelValue: 9, testid: 'field-industry' })
    await flushPromises()
    expect(wrapper.text()).toContain('采矿业 · 已停用')
  })
})
