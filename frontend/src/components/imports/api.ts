/**
 * The import API (crm/imports/api.py): what can be imported, jobs, their
 * errors file and revert. Jobs run in the background worker: create one, then
 * poll it until it is `succeeded` or `failed`.
 */
import type { Page, Query } from '@/api/client'
import * as api from '@/api/imports'
import type { Schema } from '@/api/types'

export interface ImportColumn {
  name: string
  label: string
  aliases: string[]
  required: boolean
  importable: boolean
}

export interface ImportResource {
  name: string
  label: string
  columns: ImportColumn[]
  natural_keys: string[][]
}

/** The job's status and error policy, as the schema enumerates them (labels: the job's `status_label`). */
export type JobStatus = Schema<'ImportJob'>['status']
export type OnError = Schema<'ImportJob'>['on_error']
export type RowAction = 'new' | 'updated' | 'unchanged' | 'invalid'

export interface ImportTotals {
  rows: number
  new: number
  updated: number
  unchanged: number
  invalid: number
}

export interface RowError {
  row: number
  column: string
  value: string | number | boolean
  message: string
}

export interface PreviewRow {
  row: number
  action: RowAction
  changes: string[]
}

export interface ImportResult {
  /** the file's headers, in file order */
  header?: string[]
  /** file header -> resource column name (the columns that are imported) */
  mapping?: Record<string, string>
  /** file headers that are not imported */
  ignored_columns?: string[]
  /** of those, the ones neither mapped nor ignored on purpose: a real run refuses them */
  unmapped_columns?: string[]
  /** recognised export-only headers (status, totals...): read, never stored */
  read_only_columns?: string[]
  encoding?: string
  preview?: PreviewRow[]
}

export interface ImportOptions {
  mapping?: Record<string, string>
  ignore_columns?: string[]
  encoding?: string
  sheet?: string
  add_missing_dictionary?: boolean
  apply_assignment_rules?: boolean
}

export interface ImportJob {
  id: number
  resource: string
  filename: string
  file_format: string
  status: JobStatus
  status_label: string
  progress: number
  dry_run: boolean
  on_error: OnError
  totals: Partial<ImportTotals>
  errors: RowError[]
  error_count: number
  detail: string
  result: ImportResult
  options: ImportOptions
  created_by: number | null
  created_by_name: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  reverted: boolean
  reverted_at: string | null
}

export interface ImportRequest {
  resource: string
  file: File
  dryRun: boolean
  onError: OnError
  /** header -> column name ('' = not imported); omitted = the headers decide */
  mapping?: Record<string, string> | null
  /** headers left out on purpose (the server refuses unstored columns otherwise) */
  ignoreColumns?: string[]
  encoding?: string
  sheet?: string
  addMissingDictionary?: boolean
  /** leads: new rows without an owner get one by the assignment rules (default) */
  applyAssignmentRules?: boolean
}

export const TOTAL_KEYS: Array<keyof ImportTotals> = ['rows', 'new', 'updated', 'unchanged', 'invalid']

export function isFinished(job: Pick<ImportJob, 'status'> | null | undefined): boolean {
  return job?.status === 'succeeded' || job?.status === 'failed'
}

/** A finished real import that can still be undone. */
export function canRevert(job: ImportJob): boolean {
  return !job.dry_run && job.status === 'succeeded' && !job.reverted
}

export const errorsFileUrl = api.importErrorsFileUrl

export function listResources(): Promise<ImportResource[]> {
  return api.listImportResources<ImportResource>()
}

export function listJobs(query: Query): Promise<Page<ImportJob>> {
  return api.listImportJobs<ImportJob>(query)
}

export function getJob(id: number): Promise<ImportJob> {
  return api.getImportJob<ImportJob>(id)
}

export function revertJob(id: number): Promise<{ deleted: number; restored: number }> {
  return api.revertImportJob(id)
}

export function createJob(req: ImportRequest): Promise<ImportJob> {
  const form = new FormData()
  form.append('resource', req.resource)
  form.append('file', req.file, req.file.name)
  form.append('dry_run', req.dryRun ? 'true' : 'false')
  form.append('on_error', req.onError)
  if (req.mapping && Object.keys(req.mapping).length) form.append('mapping', JSON.stringify(req.mapping))
  if (req.ignoreColumns?.length) form.append('ignore_columns', JSON.stringify(req.ignoreColumns))
  if (req.encoding) form.append('encoding', req.encoding)
  if (req.sheet) form.append('sheet', req.sheet)
  form.append('add_missing_dictionary', req.addMissingDictionary ? 'true' : 'false')
  form.append('apply_assignment_rules', req.applyAssignmentRules === false ? 'false' : 'true')
  return api.createImportJob<ImportJob>(form)
}

/**
 * Poll a job until it is finished; `onUpdate` sees every state. Resolves with
 * the finished job; stops (resolves null) when `signal` is aborted.
 */
export async function pollJob(
  id: number,
  onUpdate: (job: ImportJob) => void,
  signal: AbortSignal,
  intervalMs = 700,
): Promise<ImportJob | null> {
  for (;;) {
    if (signal.aborted) return null
    const job = await getJob(id)
    if (signal.aborted) return null
    onUpdate(job)
    if (isFinished(job)) return job
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

// --- the column mapping ------------------------------------------------------------

/** The file's headers as the job saw them, in file order (older jobs: imported, then ignored). */
export function headersOf(result: ImportResult | null | undefined): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  const known = [...Object.keys(result?.mapping ?? {}), ...(result?.ignored_columns ?? [])]
  const ordered = (result?.header ?? []).filter((h) => known.includes(h))
  for (const header of [...ordered, ...known]) {
    if (!seen.has(header)) {
      seen.add(header)
      out.push(header)
    }
  }
  return out
}

/** The explicit mapping that reproduces what the job did: header -> column ('' = ignored). */
export function mappingOf(result: ImportResult | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const header of headersOf(result)) out[header] = result?.mapping?.[header] ?? ''
  return out
}

/** A new mapping with one header pointed at `target` ('' = do not import it). */
export function withTarget(mapping: Record<string, string>, header: string, target: string | null | undefined): Record<string, string> {
  return { ...mapping, [header]: target ?? '' }
}

/** Column names chosen by more than one header (only the first is imported). */
export function duplicateTargets(mapping: Record<string, string>): string[] {
  const count: Record<string, number> = {}
  for (const target of Object.values(mapping)) if (target) count[target] = (count[target] ?? 0) + 1
  return Object.keys(count).filter((name) => count[name] > 1)
}

/** Required columns no header points at. */
export function missingRequired(mapping: Record<string, string>, columns: ImportColumn[]): ImportColumn[] {
  const used = new Set(Object.values(mapping).filter(Boolean))
  return columns.filter((c) => c.required && !used.has(c.name))
}

export function sameMapping(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of keys) if ((a[key] ?? '') !== (b[key] ?? '')) return false
  return true
}
