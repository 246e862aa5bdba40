/**
 * The states of every process and their labels, as the API names them
 * (src/api/processes.ts): status filters, status options and status labels
 * come from here, never from copies in the resources or the catalogs. Loaded
 * on first use and again when the UI language changes; reactive, so labels
 * fill in once the list arrives.
 */
import { reactive } from 'vue'
import { listProcesses, type ProcessInfo } from '@/api/processes'
import { i18n } from '@/i18n'

export interface StateOption {
  value: string
  label: string
}

const known = reactive<{ language: string; byName: Record<string, ProcessInfo> }>({ language: '', byName: {} })
let loading: { language: string; promise: Promise<void> } | null = null

/** Load the processes for the current UI language (once per language). */
export function loadProcesses(): Promise<void> {
  const language = String(i18n.global.locale.value)
  if (known.language === language) return Promise.resolve()
  if (loading?.language === language) return loading.promise
  const promise = listProcesses()
    .then((list) => setProcesses(list, language))
    .catch(() => undefined) // labels fall back to the raw values; the next use retries
    .finally(() => {
      if (loading?.promise === promise) loading = null
    })
  loading = { language, promise }
  return promise
}

/** Use this list for `language` (tests, and the answer of the API). */
export function setProcesses(list: ProcessInfo[], language = String(i18n.global.locale.value)): void {
  known.byName = Object.fromEntries(list.map((p) => [p.name, p]))
  known.language = language
}

function processNamed(name: string): ProcessInfo | undefined {
  if (known.language !== String(i18n.global.locale.value)) void loadProcesses()
  return known.byName[name]
}

/** A process's states in their order, labelled (empty until loaded). */
export function stateOptions(process: string): StateOption[] {
  return processNamed(process)?.states.map((s) => ({ value: s.value, label: s.label })) ?? []
}

/** The label of a state (the value itself until the list is loaded or for an unknown state). */
export function stateLabel(process: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  return processNamed(process)?.states.find((s) => s.value === String(value))?.label ?? String(value)
}
