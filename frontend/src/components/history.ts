/**
 * History as people read it: an audit action's name ("导入（任务 #12）" for an import)
 * and a change line ("负责人：张三 → 李四"). The lines come from the API already
 * labelled (crm/core/history.py): field labels, names instead of ids, ¥ amounts.
 */
export interface ChangeLine {
  field: string
  label: string
  old: string | null
  new: string
}

type Translate = (key: string, values?: Record<string, unknown>) => string
type Exists = (key: string) => boolean

/** The name of an audit action in the user's language (never the raw code). */
export function actionLabel(t: Translate, te: Exists, action: string, job?: number | null): string {
  if (action === 'import') return job ? t('card.history_action.import', { job }) : t('card.history_action.import_plain')
  const key = `card.history_action.${action}`
  return te(key) ? t(key) : t('card.history_action.other')
}

/** The labels the API gives a logged transition (workflows.process.transition_labels). */
export interface TransitionLabels {
  step_label?: string | null
  source_label?: string | null
  target_label?: string | null
}

/**
 * A transition as people read it: "联系：新线索 → 已联系" — the step's label and both
 * states' labels from the API, else the states as the web app labels them (`from`, `to`).
 */
export function transitionTitle(t: Translate, labels: TransitionLabels, from: string, to: string): string {
  const values = { step: labels.step_label ?? '', from: labels.source_label || from, to: labels.target_label || to }
  return labels.step_label ? t('card.step_moved', values) : t('card.moved', values)
}

/** "label：old → new" (an edit) or "label：new" (a value recorded on creation). */
export function lineText(line: ChangeLine, colon = '：'): string {
  return line.old === null || line.old === undefined ? `${line.label}${colon}${line.new}` : `${line.label}${colon}${line.old} → ${line.new}`
}

/** Newest first by the moment, then by id (entries of the same instant stay in write order). */
export function newestFirst<T extends { at: string; id?: number | string }>(a: T, b: T): number {
  const byTime = Date.parse(b.at) - Date.parse(a.at)
  if (byTime) return byTime
  return Number(b.id ?? 0) - Number(a.id ?? 0)
}
