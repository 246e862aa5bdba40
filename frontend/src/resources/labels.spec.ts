import { beforeAll, describe, expect, it } from 'vitest'
import { applyLocale, i18n } from '@/i18n'
import { filterLabelOf, resources } from '.'

/**
 * Every label a list or card shows comes from both catalogs. A missing key is not an
 * error at run time: the page falls back to the field's English name ("assignee" on
 * the Chinese task list), so only this test notices.
 */
describe('resource labels', () => {
  beforeAll(async () => {
    await applyLocale('en') // loads the English catalogs, merged as the app merges them
    await applyLocale('zh-CN')
  })

  const missing = (locale: 'zh-CN' | 'en'): string[] => {
    const gaps: string[] = []
    for (const config of Object.values(resources)) {
      const labelled = [...config.fields, ...(config.filters ?? []).map((f) => filterLabelOf(config, f))]
      const keys = [
        ...labelled.filter((f) => !f.text).map((f) => f.label ?? `fields.${f.name}`),
        ...config.groups.map((g) => g.title),
      ]
      for (const key of keys) {
        if (!i18n.global.te(key, locale)) gaps.push(`${config.key}: ${key}`)
      }
    }
    return [...new Set(gaps)]
  }

  it('every field, filter and group label is in the zh-CN catalog', () => {
    expect(missing('zh-CN')).toEqual([])
  })

  it('every field, filter and group label is in the en catalog', () => {
    expect(missing('en')).toEqual([])
  })
})
