import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import ImportMapping from './ImportMapping.vue'
import { duplicateTargets, headersOf, mappingOf, missingRequired, sameMapping, withTarget, type ImportColumn } from './api'
import { mountWith } from '@/test/helpers'

const column = (name: string, label: string, required = false, importable = true): ImportColumn => ({ name, label, aliases: [], required, importable })
const COLUMNS = [
  column('code', '客户编号'),
  column('name', '客户名称', true),
  column('phone', '电话'),
  column('city', '城市'),
  column('status', '状态', false, false),
]
const RESULT = {
  mapping: { 客户编号: 'code', 客户名称: 'name', 城市: 'city' },
  ignored_columns: ['办公电话', '旧系统ID'],
}

afterEach(() => {
  document.body.innerHTML = ''
})

/** The options of the dropdown that is open (every select keeps its own, hidden when closed). */
function openOptions(): HTMLElement[] {
  return [...document.body.querySelectorAll<HTMLElement>('.el-select__popper')]
    .filter((p) => p.style.display !== 'none')
    .flatMap((p) => [...p.querySelectorAll<HTMLElement>('.el-select-dropdown__item')])
}

/** Open a row's select and click one of its options (they are teleported to the body). */
async function choose(wrapper: Awaited<ReturnType<typeof mountWith>>['wrapper'], header: string, label: string) {
  await wrapper.get(`[data-testid="mapping-target-${header}"] .el-select__wrapper`).trigger('click')
  await flushPromises()
  const options = openOptions()
  const option = options.find((o) => o.textContent?.trim() === label)
  expect(option, `option ${label}`).toBeTruthy()
  option!.click()
  await flushPromises()
}

describe('the column mapping helpers', () => {
  it('rebuild the explicit mapping a job used: imported headers, then ignored ones as ""', () => {
    expect(headersOf(RESULT)).toEqual(['客户编号', '客户名称', '城市', '办公电话', '旧系统ID'])
    // PostgreSQL's jsonb keeps no key order: the job's `header` gives the file order.
    const shuffled = { ...RESULT, mapping: { 城市: 'city', 客户名称: 'name', 客户编号: 'code' }, header: ['客户编号', '办公电话', '客户名称', '城市', '旧系统ID'] }
    expect(headersOf(shuffled)).toEqual(['客户编号', '办公电话', '客户名称', '城市', '旧系统ID'])
    expect(mappingOf(RESULT)).toEqual({ 客户编号: 'code', 客户名称: 'name', 城市: 'city', 办公电话: '', 旧系统ID: '' })
    expect(mappingOf(undefined)).toEqual({})
  })

  it('change one target without touching the others, and spot duplicates and missing required columns', () => {
    const before = mappingOf(RESULT)
    const after = withTarget(before, '办公电话', 'phone')
    expect(after).toEqual({ ...before, 办公电话: 'phone' })
    expect(before['办公电话']).toBe('') // not mutated
    expect(sameMapping(before, after)).toBe(false)
    expect(sameMapping(before, { ...before })).toBe(true)
    expect(duplicateTargets(withTarget(after, '旧系统ID', 'phone'))).toEqual(['phone'])
    expect(missingRequired(withTarget(before, '客户名称', ''), COLUMNS).map((c) => c.name)).toEqual(['name'])
    expect(missingRequired(before, COLUMNS)).toEqual([])
  })
})

describe('ImportMapping', () => {
  it('shows each header with its target and emits the whole mapping when a target changes', async () => {
    const { wrapper } = await mountWith(ImportMapping, { headers: headersOf(RESULT), columns: COLUMNS, modelValue: mappingOf(RESULT) })
    expect(wrapper.findAll('[data-testid="mapping-header"]').map((h) => h.text())).toEqual(['客户编号', '客户名称', '城市', '办公电话', '旧系统ID'])
    expect(wrapper.get('[data-testid="mapping-target-客户名称"]').text()).toContain('客户名称')
    expect(wrapper.get('[data-testid="mapping-target-办公电话"]').text()).toContain('（不导入）')

    await choose(wrapper, '办公电话', '电话')
    const events = wrapper.emitted('update:modelValue')!
    expect(events).toHaveLength(1)
    expect(events[0][0]).toEqual({ 客户编号: 'code', 客户名称: 'name', 城市: 'city', 办公电话: 'phone', 旧系统ID: '' })
  })

  it('offers only importable columns and lets a header be left out', async () => {
    const { wrapper } = await mountWith(ImportMapping, { headers: headersOf(RESULT), columns: COLUMNS, modelValue: mappingOf(RESULT) })
    await wrapper.get('[data-testid="mapping-target-城市"] .el-select__wrapper').trigger('click')
    await flushPromises()
    const labels = openOptions().map((o) => o.textContent?.trim())
    expect(labels).toEqual(['（不导入）', '客户编号', '客户名称 *', '电话', '城市'])
    expect(labels).toContain('客户名称 *')
    expect(labels).not.toContain('状态')
    await choose(wrapper, '城市', '（不导入）')
    const last = wrapper.emitted('update:modelValue')!.at(-1)![0] as Record<string, string>
    expect(last['城市']).toBe('')
    expect(last['客户编号']).toBe('code')
  })

  it('warns about a required column without a header and two headers on one column', async () => {
    const mapping = { ...mappingOf(RESULT), 客户名称: '', 办公电话: 'city' }
    const { wrapper } = await mountWith(ImportMapping, { headers: headersOf(RESULT), columns: COLUMNS, modelValue: mapping })
    expect(wrapper.get('[data-testid="mapping-missing"]').text()).toContain('客户名称')
    expect(wrapper.text()).toContain('多个列对应同一字段')
    expect(wrapper.text()).toContain('城市')
  })
})
