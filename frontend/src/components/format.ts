import type { FieldDef } from '@/resources/types'
import { tOr } from '@/i18n'
import { userLabel } from '@/stores/lookups'
import { fieldChoiceLabel, fieldChoices, stateLabel, stateOptions } from '@/stores/processes'

const pad = (n: number) => String(n).padStart(2, '0')

export function formatDateTime(value: unknown): string {
  if (!value) return ''
  const d = new Date(String(value))
  if (Number.isNaN(d.getTime())) return String(value)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A money amount (a decimal string from the API) as ¥1,234.50; text that is not a number stays as it is. */
export function formatMoney(value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  const n = Number(value)
  if (!Number.isFinite(n)) return String(value)
  return `¥${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}

/** A money amount in whole cents (0 for what is not a number): sums without float drift. */
export function cents(value: unknown): number {
  const n = Number(value)
  return Number.isFinite(n) ? Math.round(n * 100) : 0
}

/** Fields that hold a phone number: shown grouped, in columns wide enough not to cut them. */
export function isPhoneField(field: Pick<FieldDef, 'name'>): boolean {
  return /(^|_)(phone|mobile|tel|telephone)$/.test(field.name)
}

// Calling codes of two digits (the rest of the world, +1 and +7 aside, has three).
const TWO_DIGIT_CODES = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(' '),
)

/** Digits in groups of four from the end: 2079460958 -> 20 7946 0958. */
function groupsOfFour(digits: string): string {
  const groups: string[] = []
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end))
  return groups.join(' ')
}

/**
 * A phone number as people write it: Chinese mobiles (11 digits, with or
 * without +86) as `138 1234 5678`, Chinese landlines given with +86 in the
 * national form `021-6123 4567`, other international numbers as
 * `+44 20 7946 0958` (`+1 415 555 0100`). Anything else stays as it was typed.
 */
export function formatPhone(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = String(value).trim()
  if (!/^\+?[\d\s().-]+$/.test(text)) return text
  const digits = text.replace(/\D/g, '')
  const international = text.startsWith('+')
  const mobile = /^(?:86)?(1\d{10})$/.exec(digits)
  if (mobile && (international ? digits.startsWith('86') : digits.length === 11)) {
    const m = mobile[1]
    return `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`
  }
  if (!international || digits.length < 7) return text
  if (digits.startsWith('86')) {
    const national = digits.slice(2)
    const areaLength = /^(10|2)/.test(national) ? 2 : 3
    return `0${national.slice(0, areaLength)}-${groupsOfFour(national.slice(areaLength))}`
  }
  if (digits.startsWith('1') && digits.length === 11) {
    return `+1 ${digits.slice(1, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}`
  }
  const codeLength = digits.startsWith('7') ? 1 : TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? 2 : 3
  return `+${digits.slice(0, codeLength)} ${groupsOfFour(digits.slice(codeLength))}`
}

export function fieldLabel(field: FieldDef): string {
  if (field.text) return field.text
  return tOr(field.label ?? `fields.${field.name}`, field.name.replace(/_/g, ' '))
}

export function enumLabel(group: string | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  return group ? tOr(`enums.${group}.${String(value)}`, String(value)) : String(value)
}

type ChoiceDef = Pick<FieldDef, 'name' | 'enum' | 'options' | 'process' | 'choices' | 'choicesOf'>

/** The choices of an enum field or filter: from the API (given, process states, a collection's field), or fixed options. */
export function choiceOptions(def: ChoiceDef): Array<{ value: string; label: string }> {
  if (def.choices) return def.choices
  if (def.process) return stateOptions(def.process)
  if (def.choicesOf) return fieldChoices(def.choicesOf, def.name)
  return (def.options ?? []).map((o) => ({ value: o, label: enumLabel(def.enum, o) }))
}

/** The label of one value of an enum field or filter. */
export function choiceLabel(def: ChoiceDef, value: unknown): string {
  if (def.choices) return def.choices.find((c) => c.value === String(value))?.label ?? String(value ?? '')
  if (def.process) return stateLabel(def.process, value)
  if (def.choicesOf) return fieldChoiceLabel(def.choicesOf, def.name, value)
  return enumLabel(def.enum, value)
}

/** The plain text of a field of a record (no links), for cells and exports. */
export function displayText(field: FieldDef, record: Record<string, unknown>): string {
  const value = record[field.name]
  if (field.display && record[field.display] != null && record[field.display] !== '') return String(record[field.display])
  switch (field.type) {
    case 'enum':
      if (Array.isArray(value)) return value.map((v) => choiceLabel(field, v)).join('、')
      return choiceLabel(field, value)
    case 'bool':
      return value === null || value === undefined ? '' : enumLabel('bool', String(Boolean(value)))
    case 'datetime':
      return formatDateTime(value)
    case 'money':
      return formatMoney(value)
    case 'user':
      return value === null || value === undefined || value === '' ? '' : (userLabel(value) ?? `#${value}`)
    case 'dict':
    case 'ref':
      return value === null || value === undefined || value === '' ? '' : `#${value}`
    case 'refs':
    case 'codes':
    case 'tags':
      return Array.isArray(value) ? value.join(', ') : ''
    default:
      if (isPhoneField(field)) return formatPhone(value)
      return value === null || value === undefined ? '' : String(value)
  }
}
