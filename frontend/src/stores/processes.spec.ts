import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { applyLocale } from '@/i18n'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'
import salesZh from '@/i18n/sales.zh-CN'
import salesEn from '@/i18n/sales.en'
import { resources, field } from '@/resources'
import { choiceLabel, choiceOptions, displayText } from '@/components/format'
import { mockApi } from '@/test/helpers'
import { fieldChoiceLabel, fieldChoices, loadChoices, loadProcesses, setChoices, setProcesses, stateLabel, stateOptions } from './processes'

afterEach(async () => {
  vi.unstubAllGlobals()
  await applyLocale('zh-CN')
})

const lead = (labels: Record<string, string>) => ({
  name: 'lead',
  collection: 'leads',
  field: 'status',
  states: Object.entries(labels).map(([value, label]) => ({ value, label })),
  steps: [],
})

describe('process states from the API', () => {
  it('are loaded through the client in the UI language, and again when it changes', async () => {
    setProcesses([], '')
    const calls = mockApi((call) => {
      const english = call.headers.get('Accept-Language') === 'en'
      return [200, [lead(english ? { new: 'New (API)', pooled: 'Pooled (API)' } : { new: '新（API）', pooled: '公海（API）' })]]
    })
    await applyLocale('zh-CN')
    await loadProcesses()
    expect(calls.map((c) => c.url.pathname)).toEqual(['/api/v1/processes/'])
    expect(stateOptions('lead')).toEqual([
      { value: 'new', label: '新（API）' },
      { value: 'pooled', label: '公海（API）' },
    ])
    await loadProcesses() // cached for the language
    expect(calls).toHaveLength(1)

    await applyLocale('en')
    expect(stateLabel('lead', 'pooled')).toBe('公海（API）') // until the English list arrives
    await flushPromises()
    expect(calls).toHaveLength(2)
    expect(calls[1].headers.get('Accept-Language')).toBe('en')
    expect(stateLabel('lead', 'pooled')).toBe('Pooled (API)')
  })

  it('are what status filters, form options and cells show', () => {
    setProcesses([lead({ new: '接口给的新', qualified: '接口给的确认' })], 'zh-CN')
    const status = field(resources.leads, 'status')
    const filter = resources.leads.filters!.find((f) => f.name === 'status')!
    expect(choiceOptions(status)).toEqual([
      { value: 'new', label: '接口给的新' },
      { value: 'qualified', label: '接口给的确认' },
    ])
    expect(choiceOptions(filter).map((o) => o.label)).toEqual(['接口给的新', '接口给的确认'])
    expect(displayText(status, { status: 'qualified' })).toBe('接口给的确认')
    expect(choiceLabel(status, 'gone')).toBe('gone') // a state the API does not list: its value
  })

  it('are not hand-copied: every status field and filter names its process, no catalog lists states', () => {
    for (const config of Object.values(resources)) {
      if (!config.status) continue
      const status = field(config, config.status.field)
      expect(status.process, config.key).toBeTruthy()
      expect(status.options, config.key).toBeUndefined()
      for (const filter of (config.filters ?? []).filter((f) => f.name === config.status!.field)) {
        expect(filter.process, config.key).toBe(status.process)
        expect(filter.options, config.key).toBeUndefined()
      }
    }
    // The catalogs keep only yes/no and the 1-5 satisfaction score; every other choice is labelled by the API.
    expect(Object.keys(zhCN.enums).sort()).toEqual(['bool', 'satisfaction'])
    expect(Object.keys((en as { enums: object }).enums).sort()).toEqual(['bool', 'satisfaction'])
    for (const catalog of [salesZh, salesEn] as Array<{ enums?: Record<string, unknown> }>) expect(catalog.enums).toBeUndefined()
  })

  it('field choices come from the API too, and every enum of the resources names its source', async () => {
    setChoices({}, '')
    const calls = mockApi(() => [200, { customers: { kind: [{ value: 'company', label: '公司（API）' }, { value: 'person', label: '个人（API）' }] } }])
    await loadChoices()
    expect(calls.map((c) => c.url.pathname)).toEqual(['/api/v1/choices/'])
    expect(fieldChoices('customers', 'kind').map((c) => c.label)).toEqual(['公司（API）', '个人（API）'])
    const kind = field(resources.customers, 'kind')
    expect(choiceOptions(kind).map((o) => o.value)).toEqual(['company', 'person'])
    expect(displayText(kind, { kind: 'person' })).toBe('个人（API）')
    expect(choiceOptions(resources.customers.filters!.find((f) => f.name === 'kind')!).map((o) => o.label)).toEqual(['公司（API）', '个人（API）'])
    expect(fieldChoiceLabel('customers', 'kind', 'robot')).toBe('robot')

    // Only a follow-up's satisfaction score (1-5, an integer) keeps its options here.
    const handmade: string[] = []
    for (const config of Object.values(resources)) {
      for (const def of [...config.fields, ...(config.filters ?? [])]) {
        if (def.type === 'enum' && !def.process && !def.choicesOf) handmade.push(`${config.key}.${def.name}`)
      }
    }
    expect(handmade).toEqual(['follow-ups.satisfaction'])
  })
})
