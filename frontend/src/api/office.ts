/**
 * The office module's calls: attachments of a record (upload as multipart, list,
 * delete), announcements' read receipts, and the workbench of the home page.
 */
import { client, unwrap, type Page } from './client'
import type { Schema } from './types'
import { ApiError, type ApiErrorBody } from './errors'

export type Attachment = Schema<'Attachment'>
export type Receipts = Schema<'Receipts'>

/** The record an attachment belongs to: its kind (`customer`, `quote`, ...) and id. */
export interface AttachTarget {
  field: 'customer' | 'contact' | 'lead' | 'opportunity' | 'quote' | 'contract' | 'payment' | 'complaint'
  id: number
}

export function listAttachments(target: AttachTarget): Promise<Page<Attachment>> {
  return unwrap(
    client.GET('/api/v1/attachments/', { params: { query: { [target.field]: target.id, page_size: 100 } } }),
  ) as Promise<Page<Attachment>>
}

/** Upload a file onto the record (multipart: the browser sets the boundary). */
export function uploadAttachment(target: AttachTarget, file: File): Promise<Attachment> {
  const form = new FormData()
  form.append('file', file)
  form.append(target.field, String(target.id))
  return unwrap(
    client.POST('/api/v1/attachments/', { body: form as never, bodySerializer: (body: unknown) => body as FormData }),
  )
}

export async function deleteAttachment(id: number): Promise<void> {
  await unwrap(client.DELETE('/api/v1/attachments/{id}/', { params: { path: { id } } }))
}

/** Record that I have read the announcement (idempotent). */
export async function markAnnouncementRead(id: number): Promise<void> {
  await unwrap(client.POST('/api/v1/announcements/{id}/read/', { params: { path: { id } } }))
}

export function announcementReceipts(id: number): Promise<Receipts> {
  return unwrap(client.GET('/api/v1/announcements/{id}/receipts/', { params: { path: { id } } }))
}

/** A panel of the workbench: a count, a few rows, a link to the full list (or figures). */
export interface WorkbenchPanel {
  count?: number
  results?: Array<Record<string, unknown>>
  link?: string
  [key: string]: unknown
}

export interface Workbench {
  date: string
  panels: Record<string, WorkbenchPanel>
}

export async function getWorkbench(): Promise<Workbench> {
  return (await unwrap(client.GET('/api/v1/workbench/'))) as unknown as Workbench
}

/** A section of the 360 customer card: its count, first rows and the filtered list. */
export interface OverviewSection {
  count: number
  results: Array<Record<string, unknown>>
  link: string
  totals?: { amount: string; collected: string; outstanding: string }
}

export interface CustomerOverview {
  customer: { id: number; name: string }
  sections: Record<string, OverviewSection>
}

/** The 360 customer card: the sections the user may see (one request). */
export async function getCustomerOverview(id: number): Promise<CustomerOverview> {
  return (await unwrap(client.GET('/api/v1/customers/{id}/overview/', { params: { path: { id } } }))) as unknown as CustomerOverview
}

type Body = Record<string, unknown>

/** Quick create: a customer (or `link_to` an existing one), its first contact and a lead or an opportunity. */
export interface QuickCreateBody {
  customer?: Body
  contact: Body
  lead?: Body
  opportunity?: Body
  link_to?: number
}

export interface QuickCreated {
  customer: Body & { id: number }
  contact: Body & { id: number }
  lead?: Body & { id: number }
  opportunity?: Body & { id: number }
}

/** The refusal of quick create when the customer already exists (the API names it). */
export class DuplicateCustomer extends ApiError {
  duplicate: { id: number; name: string }

  constructor(status: number, body: ApiErrorBody & { duplicate: { id: number; name: string } }) {
    super(status, body)
    this.duplicate = body.duplicate
  }
}

export async function quickCreate(body: QuickCreateBody): Promise<QuickCreated> {
  const result = await client.POST('/api/v1/quick-create/', { body: body as never })
  const error = result.error as (ApiErrorBody & { duplicate?: { id: number; name: string } }) | undefined
  if (result.response.status === 409 && error?.code === 'duplicate' && error.duplicate) {
    throw new DuplicateCustomer(409, error as ApiErrorBody & { duplicate: { id: number; name: string } })
  }
  return (await unwrap(Promise.resolve(result))) as unknown as QuickCreated
}
