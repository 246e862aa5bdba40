/**
 * What the API says about fixed choices, so no page keeps copies:
 * - the states of every process (src/api/processes.ts): status filters,
 *   options and labels;
 * - the choices of every collection's fields (src/api/choices.ts): a
 *   customer's kind, a complaint's severity...
 * Both labelled in the UI language, reloaded when it changes.
 */
import { listChoices, type CollectionChoices } from '@/api/choices'
import type { Collection } from '@/api/collections'
import { listProcesses, type ProcessInfo } from '@/api/processes'
import { languageCache } from './languageCache'

export interface StateOption {
  value: string
  label: string
}

const processes = languageCache<Record<string, ProcessInfo>>(
  async () => Object.fromEntries((await listProcesses()).map((p) => [p.name, p])),
  {},
)
const choices = languageCache<CollectionChoices>(listChoices, {})

/** Load the processes for the current UI language (once per language). */
export const loadProcesses = processes.load
/** Load the field choices for the current UI language (once per language). */
export const loadChoices = choices.load

/** Use this list of processes for `language` (tests). */
export function setProcesses(list: ProcessInfo[], language?: string): void {
  processes.set(Object.fromEntries(list.map((p) => [p.name, p])), language)
}

/** Use these field choices for `language` (tests). */
export function setChoices(data: CollectionChoices, language?: string): void {
  choices.set(data, language)
}

/** A process's states in their order, labelled (empty until loaded). */
export function stateOptions(process: string): StateOption[] {
  return processes.current()[process]?.states.map((s) => ({ value: s.value, label: s.label })) ?? []
}

/** The label of a state (the value itself until the list is loaded or for an unknown state). */
export function stateLabel(process: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  return processes.current()[process]?.states.find((s) => s.value === String(value))?.label ?? String(value)
}

/** The choices of a collection's field, in order (empty until loaded). */
export function fieldChoices(collection: Collection, field: string): StateOption[] {
  return choices.current()[collection]?.[field] ?? []
}

/** The label of a field's value (the value itself until loaded or when unknown). */
export function fieldChoiceLabel(collection: Collection, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  return fieldChoices(collection, field).find((c) => c.value === String(value))?.label ?? String(value)
}
