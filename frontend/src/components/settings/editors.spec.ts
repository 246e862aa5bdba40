import { describe, expect, it } from 'vitest'
import { codeLabel, dayLength, formatIntervals, groupBy, moveItem, parseIntervals } from './editors'

describe('moveItem', () => {
  it('moves down and up without touching the input', () => {
    const list = ['a', 'b', 'c', 'd']
    expect(moveItem(list, 0, 2)).toEqual(['b', 'c', 'a', 'd'])
    expect(moveItem(list, 3, 0)).toEqual(['d', 'a', 'b', 'c'])
    expect(list).toEqual(['a', 'b', 'c', 'd'])
  })
  it('ignores moves out of range', () => {
    expect(moveItem(['a', 'b'], 0, 5)).toEqual(['a', 'b'])
    expect(moveItem(['a', 'b'], -1, 0)).toEqual(['a', 'b'])
  })
})

describe('groupBy', () => {
  it('keeps the order in which groups first appear', () => {
    const rows = [
      { m: 'leads', l: '线索', k: 1 },
      { m: 'sales', l: '销售', k: 2 },
      { m: 'leads', l: '线索', k: 3 },
    ]
    const groups = groupBy(rows, (r) => r.m, (r) => r.l)
    expect(groups.map((g) => [g.key, g.label, g.items.map((r) => r.k)])).toEqual([
      ['leads', '线索', [1, 3]],
      ['sales', '销售', [2]],
    ])
  })
})

describe('codeLabel', () => {
  const base = { code: 'x', module: 'm', app_module: 'sales', app_module_label: '销售' }
  it('names the subject of a transition right', () => {
    expect(codeLabel({ ...base, label: '审批', module_label: '合同', transition: true })).toBe('合同 · 审批')
    expect(codeLabel({ ...base, label: '查看合同', module_label: '合同', transition: false })).toBe('查看合同')
  })
})

describe('working hours', () => {
  it('reads and writes a day with a lunch break', () => {
    const day = parseIntervals('09:00-12:00,13:30-18:00')
    expect(day).toEqual({ start: '09:00', end: '18:00', lunchStart: '12:00', lunchEnd: '13:30' })
    expect(formatIntervals(day)).toBe('09:00-12:00,13:30-18:00')
    expect(dayLength(day)).toBe(7.5)
  })
  it('reads and writes a day without a break', () => {
    const day = parseIntervals('08:30-17:30')
    expect(day.lunchStart).toBe('')
    expect(formatIntervals(day)).toBe('08:30-17:30')
    expect(dayLength(day)).toBe(9)
  })
  it('refuses times that do not make a day', () => {
    expect(formatIntervals({ start: '18:00', end: '09:00', lunchStart: '', lunchEnd: '' })).toBeNull()
    expect(formatIntervals({ start: '09:00', end: '18:00', lunchStart: '13:00', lunchEnd: '12:00' })).toBeNull()
    expect(formatIntervals({ start: '09:00', end: '18:00', lunchStart: '12:00', lunchEnd: '' })).toBeNull()
    expect(formatIntervals({ start: '9', end: '18:00', lunchStart: '', lunchEnd: '' })).toBeNull()
  })
})
