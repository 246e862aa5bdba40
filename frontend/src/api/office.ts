/**
 * The office module's calls: attachments of a record (upload as multipart, list,
 * delete), announcements' read receipts, and the workbench of the home page.
 */
import { client, unwrap, type Page } from './client'
import type { Schema } from './types'

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
