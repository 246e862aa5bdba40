/**
 * The editors of the system settings: dictionary values (with their order),
 * contract approval bands, the working calendar (hours, days off and extra
 * workdays, the deadline checker) and the described tenant settings.
 */
import { client, unwrap } from './client'
import type { Body, Schema } from './types'

export type DictionaryItem = Schema<'DictionaryItem'>
export type ApprovalBand = Schema<'ApprovalBand'>
export type Workday = Schema<'TenantWorkday'>
export type WorkingHours = Schema<'WorkingHours'>
export type SettingField = Schema<'SettingField'>
export type AddHoursResult = Schema<'AddHoursResult'>

// --- dictionary ---------------------------------------------------------------------

/** Every value of a kind, deactivated ones too, in their order. */
export async function dictionaryOfKind(kind: string): Promise<DictionaryItem[]> {
  const page = await unwrap(client.GET('/api/v1/dictionary/', { params: { query: { kind, page_size: 200 } as never } }))
  return page.results
}

export function createDictionaryItem(body: Body<'DictionaryItemRequest'>): Promise<DictionaryItem> {
  return unwrap(client.POST('/api/v1/dictionary/', { body }))
}

export function updateDictionaryItem(id: number, body: Body<'PatchedDictionaryItemRequest'>): Promise<DictionaryItem> {
  return unwrap(client.PATCH('/api/v1/dictionary/{id}/', { params: { path: { id } }, body }))
}

export async function deleteDictionaryItem(id: number): Promise<void> {
  await unwrap(client.DELETE('/api/v1/dictionary/{id}/', { params: { path: { id } } }))
}

/** Put every value of `kind` in the order of `ids`. */
export function reorderDictionary(kind: string, ids: number[]): Promise<DictionaryItem[]> {
  return unwrap(client.POST('/api/v1/dictionary/reorder/', { body: { kind: kind as never, ids } }))
}

// --- approval bands -----------------------------------------------------------------

export async function listApprovalBands(): Promise<ApprovalBand[]> {
  const page = await unwrap(client.GET('/api/v1/approval-bands/', { params: { query: { page_size: 200 } as never } }))
  return page.results
}

export function createApprovalBand(body: Body<'ApprovalBandRequest'>): Promise<ApprovalBand> {
  return unwrap(client.POST('/api/v1/approval-bands/', { body }))
}

export function updateApprovalBand(id: number, body: Body<'PatchedApprovalBandRequest'>): Promise<ApprovalBand> {
  return unwrap(client.PATCH('/api/v1/approval-bands/{id}/', { params: { path: { id } }, body }))
}

export async function deleteApprovalBand(id: number): Promise<void> {
  await unwrap(client.DELETE('/api/v1/approval-bands/{id}/', { params: { path: { id } } }))
}

// --- working calendar ---------------------------------------------------------------

export function getWorkingHours(): Promise<WorkingHours> {
  return unwrap(client.GET('/api/v1/calendar/working-hours/'))
}

export function updateWorkingHours(body: Body<'PatchedWorkingHoursRequest'>): Promise<WorkingHours> {
  return unwrap(client.PATCH('/api/v1/calendar/working-hours/', { body }))
}

/** The company's own days off and extra workdays of a year. */
export async function listWorkdays(year: number): Promise<Workday[]> {
  const page = await unwrap(client.GET('/api/v1/calendar/days/', { params: { query: { year, page_size: 200 } as never } }))
  return page.results
}

export function createWorkday(body: Body<'TenantWorkdayRequest'>): Promise<Workday> {
  return unwrap(client.POST('/api/v1/calendar/days/', { body }))
}

export async function deleteWorkday(id: number): Promise<void> {
  await unwrap(client.DELETE('/api/v1/calendar/days/{id}/', { params: { path: { id } } }))
}

/** The deadline `hours` working hours after `start` (ISO date-time). */
export function addHours(start: string, hours: number): Promise<AddHoursResult> {
  return unwrap(client.GET('/api/v1/calendar/add-hours/', { params: { query: { start, hours } } }))
}

// --- settings -----------------------------------------------------------------------

/** Every setting of the modules that are on, with its module, unit and limits. */
export function settingFields(): Promise<SettingField[]> {
  return unwrap(client.GET('/api/v1/settings/fields/'))
}
