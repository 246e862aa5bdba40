import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zh from '@/i18n/zh-CN'
import en from '@/i18n/en'
import { actionLabel, lineText, newestFirst } from './history'

function translator(locale: 'zh-CN' | 'en') {
  const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zh, en } as never })
  const g = i18n.global as unknown as { t: (k: string, v?: Record<string, unknown>) => string; te: (k: string) => boolean }
  return [(k: string, v?: Record<string, unknown>) => g.t(k, v ?? {}), (k: string) => g.te(k)] as const
}

describe('readable history', () => {
  it('names an import by its job and never shows a raw action code', () => {
    const [t, te] = translator('zh-CN')
    expect(actionLabel(t, te, 'import', 12)).toBe('导入（任务 #12）')
    expect(actionLabel(t, te, 'update')).toBe('修改')
    expect(actionLabel(t, te, 'something_new')).toBe('变更')
    const [tEn, teEn] = translator('en')
    expect(actionLabel(tEn, teEn, 'import', 12)).toBe('Import (job #12)')
  })

  it('writes old → new with the field label', () => {
    expect(lineText({ field: 'owner', label: '负责人', old: '张三', new: '李四' })).toBe('负责人：张三 → 李四')
    expect(lineText({ field: 'name', label: '名称', old: null, new: '北京' })).toBe('名称：北京')
    expect(lineText({ field: 'name', label: 'Name', old: 'a', new: 'b' }, ': ')).toBe('Name: a → b')
  })

  it('orders newest first, ties by id', () => {
    const rows = [
      { at: '2026-01-01T10:00:00+08:00', id: 1 },
      { at: '2026-01-01T02:00:01Z', id: 2 },
      { at: '2026-01-01T10:00:00+08:00', id: 3 },
    ]
    expect(rows.sort(newestFirst).map((r) => r.id)).toEqual([2, 3, 1])
  })
})
