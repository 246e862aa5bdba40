import { describe, expect, it } from 'vitest'
import { joinReasons } from './errors'

describe('reasons joined cleanly', () => {
  it('follows sentence stops, else puts a separator of the language', () => {
    expect(joinReasons(['密码太短。', '密码太常见。'])).toBe('密码太短。密码太常见。')
    expect(joinReasons(['缺少联系人', '缺少报价'])).toBe('缺少联系人；缺少报价')
    expect(joinReasons(['Too short.', 'Too common.'])).toBe('Too short. Too common.')
    expect(joinReasons(['no contact', 'no quote'])).toBe('no contact; no quote')
    expect(joinReasons(['', undefined, '一条'])).toBe('一条')
  })
})
