import { describe, expect, it } from 'vitest'
import zhCN from './zh-CN'
import en from './en'

/** Every leaf key of a catalog, dotted. */
function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('main catalogs', () => {
  it('zh-CN and en have the same keys, every page included', () => {
    const zh = keys(zhCN).sort()
    expect(zh.length).toBeGreaterThan(300)
    expect(keys(en).sort()).toEqual(zh)
  })

  it('have no empty messages', () => {
    for (const catalog of [zhCN, en]) {
      const empty = keys(catalog).filter((key) => {
        const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalog)
        return typeof value === 'string' && value.trim() === ''
      })
      expect(empty).toEqual([])
    }
  })
})
