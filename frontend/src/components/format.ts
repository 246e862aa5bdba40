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
      return Array.isArray(value) ? value.join(', ') : ''
    default:
      return value === null || value === undefined ? '' : String(value)
  }
}
