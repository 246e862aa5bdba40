/** Errors of the REST API: `{code, detail, fields?, reasons?}` (crm/core/api/errors.py). */

export interface ApiErrorBody {
  code?: string
  detail?: string
  fields?: Record<string, unknown>
  reasons?: string[]
}

export class ApiError extends Error {
  status: number
  code: string
  detail: string
  fields: Record<string, unknown>
  reasons: string[]

  constructor(status: number, body: ApiErrorBody | null | undefined, fallback = '') {
    const detail = (body && typeof body.detail === 'string' && body.detail) || fallback || `HTTP ${status}`
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.code = (body && body.code) || 'error'
    this.detail = detail
    this.fields = (body && body.fields && typeof body.fields === 'object' ? body.fields : {}) as Record<string, unknown>
    this.reasons = (body && Array.isArray(body.reasons) ? body.reasons : []).map(String)
  }
}

function messagesOf(value: unknown, prefix: string, out: Record<string, string[]>): void {
  if (value == null) return
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object') messagesOf(item, prefix, out)
      else (out[prefix] ||= []).push(String(item))
    }
    return
  }
  if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      messagesOf(inner, prefix ? `${prefix}.${key}` : key, out)
    }
    return
  }
  ;(out[prefix] ||= []).push(String(value))
}

export interface MappedErrors {
  /** field name -> message shown under that form item */
  fields: Record<string, string>
  /** messages that belong to no field shown in the form */
  general: string[]
}

/**
 * Map an API error onto a form: messages of fields the form shows go under
 * those fields (nested keys like `lines.0.amount` fall back to their first
 * part); the rest (non_field_errors, detail, unknown fields, guard reasons) are
 * general messages.
 */
/**
 * Several reasons as one line, joined cleanly: sentences that end with their own
 * stop follow each other ("…。…。", "…. …."), others take "；" (Chinese) or "; ".
 */
export function joinReasons(messages: Array<string | undefined | null>): string {
  const parts = messages.map((m) => (m ?? '').trim()).filter(Boolean)
  let out = ''
  for (const part of parts) {
    if (!out) out = part
    else if (/[。！？]$/.test(out)) out += part
    else if (/[.!?]$/.test(out)) out += ` ${part}`
    else out += /[\u3000-\u9fff\uff00-\uffef]/.test(out + part) ? `；${part}` : `; ${part}`
  }
  return out
}

export function mapErrors(error: unknown, formFields: Iterable<string>): MappedErrors {
  const known = new Set(formFields)
  const result: MappedErrors = { fields: {}, general: [] }
  if (!(error instanceof ApiError)) {
    result.general.push(error instanceof Error ? error.message : String(error))
    return result
  }
  const flat: Record<string, string[]> = {}
  messagesOf(error.fields, '', flat)
  for (const [key, messages] of Object.entries(flat)) {
    const head = key.split('.')[0]
    const target = known.has(key) ? key : known.has(head) ? head : null
    if (target) {
      result.fields[target] = joinReasons([result.fields[target], ...messages])
    } else if (key === 'non_field_errors' || key === '') {
      result.general.push(...messages)
    } else {
      result.general.push(...messages.map((m) => `${key}: ${m}`))
    }
  }
  result.general.push(...error.reasons)
  if (!Object.keys(flat).length && !error.reasons.length) result.general.push(error.detail)
  return result
}
