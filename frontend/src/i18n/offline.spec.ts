import { describe, expect, it } from 'vitest'
import zh from './offline.zh-CN'
import en from './offline.en'

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('offline catalogs', () => {
  it('zh-CN and en have the same keys and no empty message', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort())
    for (const catalog of [zh, en]) {
      for (const key of keys(catalog)) {
        const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalog)
        expect(typeof value === 'string' && value.trim() !== '', key).toBe(true)
      }
    }
  })
})
