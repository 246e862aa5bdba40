import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import RecordForm from './RecordForm.vue'
import { leads, contacts } from '@/resources'
import { announcements } from '@/resources/office'
import { mockApi, mountWith, page } from '@/test/helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('RecordForm', () => {
  it('shows the API field errors on the fields and other messages above the form', async () => {
    const calls = mockApi((call) => {
      if (call.method === 'POST')
        return [400, { code: 'invalid', detail: '有字段不正确。', fields: { mobile: ['请输入有效的手机号码。'], non_field_errors: ['重复的线索。'] } }]
      return [200, page([])]
    })
    const { wrapper } = await mountWith(RecordForm, { config: leads }, ['leads.create'])
    await wrapper.get('[data-testid="field-company_name"]').setValue('北京星辰')
    await wrapper.get('[data-testid="field-mobile"]').setValue('123')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url.pathname).toBe('/api/v1/leads/')
    expect(post.body).toEqual({ company_name: '北京星辰', mobile: '123' })
    expect(wrapper.get('[data-testid="item-mobile"]').classes()).toContain('is-error')
    expect(wrapper.get('[data-testid="item-company_name"]').classes()).not.toContain('is-error')
    expect(wrapper.get('[data-testid="form-error"]').text()).toContain('重复的线索。')
    expect(wrapper.emitted('saved')).toBeUndefined()
  })

  it('edits with PATCH of the changed fields and If-Match, and takes presets', async () => {
    const calls = mockApi((call) => (call.method === 'PATCH' ? [200, { id: 4 }] : [200, page([])]))
    const record = { id: 4, version: 6, customer: 9, customer_name: '星辰', name: '李明', mobile: '', email: '', title: '', birthday: null }
    const { wrapper } = await mountWith(RecordForm, { config: contacts, record }, ['contacts.edit'])
    await wrapper.get('[data-testid="field-title"]').setValue('采购经理')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const patch = calls.find((c) => c.method === 'PATCH')!
    expect(patch.url.pathname).toBe('/api/v1/contacts/4/')
    expect(patch.body).toEqual({ title: '采购经理' })
    expect(patch.headers.get('If-Match')).toBe('"6"')
    expect(wrapper.emitted('saved')).toHaveLength(1)
  })

  it('refuses locally when a required field is empty', async () => {
    const calls = mockApi(() => [200, page([])])
    const { wrapper } = await mountWith(RecordForm, { config: leads, preset: { need: 'x' } }, ['leads.create'])
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    expect(wrapper.get('[data-testid="item-company_name"]').classes()).toContain('is-error')
  })

  it('shows a field only while the field it depends on holds a value it names, and sends it only then', async () => {
    const calls = mockApi((call) => (call.method === 'POST' ? [201, { id: 1 }] : [200, page([])]))
    const everyone = await mountWith(RecordForm, { config: announcements, preset: { title: '放假通知', teams: [3] } }, ['announcements.create'])
    expect(everyone.wrapper.find('[data-testid="item-teams"]').exists()).toBe(false)
    expect(everyone.wrapper.find('[data-testid="item-roles"]').exists()).toBe(false)
    await everyone.wrapper.get('form').trigger('submit')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.body).toMatchObject({ title: '放假通知', audience: 'all' })
    expect(post.body).not.toHaveProperty('teams')

    document.body.innerHTML = ''
    const teams = await mountWith(RecordForm, { config: announcements, preset: { title: '销售例会', audience: 'teams' } }, ['announcements.create'])
    expect(teams.wrapper.find('[data-testid="item-teams"]').exists()).toBe(true)
    expect(teams.wrapper.find('[data-testid="item-roles"]').exists()).toBe(false)
    ;(teams.wrapper.vm as unknown as { model: Record<string, unknown> }).model.audience = 'roles'
    await flushPromises()
    expect(teams.wrapper.find('[data-testid="item-teams"]').exists()).toBe(false)
    expect(teams.wrapper.find('[data-testid="item-roles"]').exists()).toBe(true)
  })
})
