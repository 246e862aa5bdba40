import { describe, expect, it } from 'vitest'
import zhCN from './settingsEditors.zh-CN'
import en from './settingsEditors.en'

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('settings editors catalogs', () => {
  it('zh-CN and en have the same keys, none empty', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
    for (const catalog of [zhCN, en]) {
      const leaves = keys(catalog).map((key) => key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalog))
      expect(leaves.every((v) => typeof v === 'string' && v.trim() !== '')).toBe(true)
    }
  })
})
