import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import TransitionButtons from './TransitionButtons.vue'
import { leads } from '@/resources'
import { followUps } from '@/resources/service'
import { mockApi, mountWith } from '@/test/helpers'

const record = {
  id: 7,
  version: 3,
  company_name: '北京星辰科技',
  status: 'new',
  transitions: [
    { name: 'contact', label: '标记为已联系', allowed: false, reasons: ['请先记录一次活动。'], irreversible: false, inputs: [] },
    { name: 'pool', label: '退回公海', allowed: true, reasons: [], irreversible: false, inputs: [] },
    { name: 'disqualify', label: '标记无效', allowed: true, reasons: [], irreversible: true, inputs: [{ name: 'reason', label: '无效原因', type: 'textarea', required: true, max_length: 300 }] },
  ],
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('TransitionButtons', () => {
  it('disables a blocked transition and shows its reasons', async () => {
    mockApi(() => [200, {}])
    const { wrapper } = await mountWith(TransitionButtons, { config: leads, record })
    const contact = wrapper.get('[data-testid="transition-contact"]')
    expect(contact.attributes('disabled')).toBeDefined()
    expect(wrapper.get('[data-testid="reasons-contact"]').text()).toContain('请先记录一次活动。')
    expect(wrapper.find('[data-testid="reasons-pool"]').exists()).toBe(false)
  })

  it('runs a reversible transition at once, with the record version', async () => {
    const calls = mockApi(() => [200, { ...record, status: 'pooled', transitions: [] }])
    const { wrapper } = await mountWith(TransitionButtons, { config: leads, record })
    await wrapper.get('[data-testid="transition-pool"]').trigger('click')
    await flushPromises()
    expect(calls).toHaveLength(1)
    expect(calls[0].method).toBe('POST')
    expect(calls[0].url.pathname).toBe('/api/v1/leads/7/transitions/pool/')
    expect(calls[0].headers.get('If-Match')).toBe('"3"')
    expect(wrapper.emitted('done')?.[0][0]).toMatchObject({ status: 'pooled' })
  })

  it('asks before an irreversible transition, requires its inputs and shows the API refusal', async () => {
    const calls = mockApi(() => [400, { code: 'invalid', detail: 'bad', fields: { reason: ['原因太短'] } }])
    const { wrapper } = await mountWith(TransitionButtons, { config: leads, record })
    await wrapper.get('[data-testid="transition-disqualify"]').trigger('click')
    await flushPromises()
    const dialog = document.body.querySelector('[data-testid="transition-consequence"]')
    expect(dialog?.textContent).toContain('不可撤销')
    expect(dialog?.textContent).toContain('无效')
    const confirm = document.body.querySelector<HTMLButtonElement>('[data-testid="transition-confirm"]')!
    confirm.click()
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(calls).toHaveLength(0) // the required reason is missing
    const textarea = document.body.querySelector<HTMLTextAreaElement>('[data-testid="field-reason"]')!
    const item = textarea.closest('.el-form-item')!
    expect(item.classList.contains('is-error')).toBe(true)

    textarea.value = '没有'
    textarea.dispatchEvent(new Event('input'))
    await flushPromises()
    confirm.click()
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(calls).toHaveLength(1)
    expect(calls[0].body).toEqual({ reason: '没有' })
    expect(item.classList.contains('is-error')).toBe(true) // the API's field error, on the field
    expect(wrapper.emitted('done')).toBeUndefined()
  })

  it('builds the dialog from the inputs the API describes: labels, choices, optional ones', async () => {
    const followUp = {
      id: 9,
      version: 1,
      status: 'planned',
      transitions: [
        {
          name: 'complete',
          label: '完成',
          allowed: true,
          reasons: [],
          irreversible: false,
          inputs: [
            { name: 'outcome', label: '跟进结果', type: 'textarea', required: true, max_length: 5000 },
            { name: 'satisfaction', label: '客户满意度', type: 'enum', required: false, choices: [{ value: 5, label: '5 分 · 非常满意' }, { value: 4, label: '4 分 · 满意' }] },
          ],
        },
      ],
    }
    const calls = mockApi(() => [200, { ...followUp, status: 'done', transitions: [] }])
    const { wrapper } = await mountWith(TransitionButtons, { config: followUps, record: followUp })
    await wrapper.get('[data-testid="transition-complete"]').trigger('click')
    await flushPromises()
    const dialog = document.body.querySelector('[data-testid="transition-dialog"]')!
    expect(dialog.textContent).toContain('跟进结果')
    expect(dialog.textContent).toContain('客户满意度')
    expect(document.body.querySelector('[data-testid="field-satisfaction"]')).not.toBeNull()
    const outcome = document.body.querySelector<HTMLTextAreaElement>('[data-testid="field-outcome"]')!
    expect(outcome.getAttribute('maxlength')).toBe('5000')
    outcome.value = '已回访'
    outcome.dispatchEvent(new Event('input'))
    await flushPromises()
    document.body.querySelector<HTMLButtonElement>('[data-testid="transition-confirm"]')!.click()
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(calls).toHaveLength(1) // the score is optional: not asked for before sending
    expect(calls[0].url.pathname).toBe('/api/v1/follow-ups/9/transitions/complete/')
    expect(calls[0].body).toEqual({ outcome: '已回访' })
  })

  it('titles the dialog "确认{label}" without saying 确认 twice (issue 20)', async () => {
    mockApi(() => [200, {}])
    const steps = {
      ...record,
      transitions: [
        { name: 'confirm', label: '确认', allowed: true, reasons: [], irreversible: true, inputs: [] },
        { name: 'disqualify', label: '标记无效', allowed: true, reasons: [], irreversible: true, inputs: [] },
      ],
    }
    const { wrapper } = await mountWith(TransitionButtons, { config: leads, record: steps })
    await wrapper.get('[data-testid="transition-confirm"]').trigger('click')
    await flushPromises()
    const title = () => document.body.querySelector('[data-testid="transition-dialog"] .el-dialog__title')?.textContent?.trim()
    expect(title()).toBe('确认')
    expect(document.body.textContent).not.toContain('确认确认')
  })

  it('keeps "确认" in front of other step labels', async () => {
    mockApi(() => [200, {}])
    const { wrapper } = await mountWith(TransitionButtons, { config: leads, record })
    await wrapper.get('[data-testid="transition-disqualify"]').trigger('click')
    await flushPromises()
    const title = document.body.querySelector('[data-testid="transition-dialog"] .el-dialog__title')?.textContent?.trim()
    expect(title).toBe('确认标记无效')
  })
})
