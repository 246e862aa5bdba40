import { afterEach, describe, expect, it } from 'vitest'
import ImportUnstored from './ImportUnstored.vue'
import { mountWith } from '@/test/helpers'

afterEach(() => {
  document.body.innerHTML = ''
})

describe('ImportUnstored', () => {
  it('lists the columns a run would not store, each with an ignore checkbox', async () => {
    const { wrapper } = await mountWith(ImportUnstored, { unmapped: ['办公电话', '旧系统ID'], readOnly: ['状态'], modelValue: ['旧系统ID'] })
    expect(wrapper.text()).toContain('不会保存的列')
    expect(wrapper.get('[data-testid="ignore-办公电话"]').classes()).not.toContain('is-checked')
    expect(wrapper.get('[data-testid="ignore-旧系统ID"]').classes()).toContain('is-checked')
    expect(wrapper.get('[data-testid="read-only-columns"]').text()).toContain('状态')

    await wrapper.get('[data-testid="ignore-办公电话"] input').setValue(true)
    expect(wrapper.emitted('update:modelValue')!.at(-1)![0]).toEqual(['旧系统ID', '办公电话'])
    await wrapper.get('[data-testid="ignore-旧系统ID"] input').setValue(false)
    expect(wrapper.emitted('update:modelValue')!.at(-1)![0]).toEqual([])
  })

  it('shows nothing when every column is stored', async () => {
    const { wrapper } = await mountWith(ImportUnstored, { unmapped: [], readOnly: [], modelValue: [] })
    expect(wrapper.find('[data-testid="import-unstored"]').exists()).toBe(false)
  })
})
