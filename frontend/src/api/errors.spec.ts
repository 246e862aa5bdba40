import { describe, expect, it } from 'vitest'
import { ApiError, mapErrors } from './errors'

describe('mapErrors', () => {
  it('puts field messages under the fields the form shows', () => {
    const error = new ApiError(400, {
      code: 'invalid',
      detail: '有字段不正确。',
      fields: { mobile: ['手机号码格式不正确。'], company_name: ['请填写公司名称。', '太长了。'] },
    })
    const mapped = mapErrors(error, ['company_name', 'mobile'])
    expect(mapped.fields).toEqual({ mobile: '手机号码格式不正确。', company_name: '请填写公司名称。太长了。' })
    expect(mapped.general).toEqual([])
  })

  it('keeps non-field errors, unknown fields and guard reasons as general messages', () => {
    const error = new ApiError(400, {
      code: 'guard_failed',
      detail: 'This step is not allowed yet.',
      fields: { non_field_errors: ['Send a JSON object.'], secret: ['bad'] },
      reasons: ['Log an activity first.'],
    })
    const mapped = mapErrors(error, ['name'])
    expect(mapped.fields).toEqual({})
    expect(mapped.general).toEqual(['Send a JSON object.', 'secret: bad', 'Log an activity first.'])
  })

  it('maps nested errors (lines.0.amount) to their top field', () => {
    const error = new ApiError(400, { code: 'invalid', fields: { lines: [{ amount: ['Must be positive.'] }] } })
    expect(mapErrors(error, ['lines']).fields).toEqual({ lines: 'Must be positive.' })
    expect(mapErrors(error, ['lines.amount']).fields).toEqual({ 'lines.amount': 'Must be positive.' })
  })

  it('falls back to the detail, or to the message of a non-API error', () => {
    expect(mapErrors(new ApiError(409, { code: 'conflict', detail: '记录已被修改' }), []).general).toEqual(['记录已被修改'])
    expect(mapErrors(new TypeError('Failed to fetch'), ['x']).general).toEqual(['Failed to fetch'])
  })
})
