import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zh from '@/i18n/zh-CN'
import en from '@/i18n/en'
import { actionLabel, lineText, newestFirst, transitionTitle } from './history'

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

  it('names a transition by its step and both states, never the codes', () => {
    const [t] = translator('zh-CN')
    const labels = { step_label: '标记已联系', source_label: '新线索', target_label: '已联系' }
    const title = transitionTitle(t, labels, 'new', 'contacted')
    expect(title).toBe('标记已联系：新线索 → 已联系')
    expect(title).not.toMatch(/new|contacted/)
    // An older entry without labels: the states as the web app labels them.
    expect(transitionTitle(t, {}, '新线索', '已联系')).toBe('新线索 → 已联系')
    const [tEn] = translator('en')
    expect(transitionTitle(tEn, { step_label: 'Mark contacted', source_label: 'new', target_label: 'contacted' }, 'x', 'y')).toBe('Mark contacted: new → contacted')
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
