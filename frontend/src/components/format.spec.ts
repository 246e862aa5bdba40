import { describe, expect, it } from 'vitest'
import { displayText, formatPhone, isPhoneField } from './format'

describe('formatPhone (issue 20: phone numbers as people write them)', () => {
  it('shows Chinese mobiles in the national 3-4-4 form, with or without +86', () => {
    expect(formatPhone('+8613812345678')).toBe('138 1234 5678')
    expect(formatPhone('13812345678')).toBe('138 1234 5678')
    expect(formatPhone('+86 138-1234-5678')).toBe('138 1234 5678')
  })

  it('shows Chinese landlines given with +86 in the national form', () => {
    expect(formatPhone('+862161234567')).toBe('021-6123 4567')
    expect(formatPhone('+8657188886666')).toBe('0571-8888 6666')
  })

  it('shows other countries in the international form', () => {
    expect(formatPhone('+14155550100')).toBe('+1 415 555 0100')
    expect(formatPhone('+442079460958')).toBe('+44 20 7946 0958')
    expect(formatPhone('+85221234567')).toBe('+852 2123 4567')
  })

  it('leaves local numbers and text as typed', () => {
    expect(formatPhone('010-12345678')).toBe('010-12345678')
    expect(formatPhone('分机 8001')).toBe('分机 8001')
    expect(formatPhone(null)).toBe('')
  })

  it('is what a phone or mobile cell displays', () => {
    expect(isPhoneField({ name: 'mobile' })).toBe(true)
    expect(isPhoneField({ name: 'contact_phone' })).toBe(true)
    expect(isPhoneField({ name: 'name' })).toBe(false)
    expect(displayText({ name: 'mobile' }, { mobile: '+8613812345678' })).toBe('138 1234 5678')
    expect(displayText({ name: 'code' }, { code: '13812345678' })).toBe('13812345678')
  })
})
