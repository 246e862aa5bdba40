/**
 * The customer-resource pages' own endpoints (issue 14): groups and tags set in
 * bulk from a list selection, bulk transfer in one request, the tags in use, a
 * campaign's target list.
 */
import { client, unwrap, type Query } from './client'

export interface BulkLabelBody {
  ids?: number[]
  add_groups?: number[]
  remove_groups?: number[]
  add_tags?: string[]
  remove_tags?: string[]
}

/** Add/remove groups and tags on the customers given, else on the list's current filter. */
export function bulkLabel(body: BulkLabelBody, query: Query = {}): Promise<{ customers: number; added: number; removed: number }> {
  return unwrap(client.POST('/api/v1/customers/bulk-label/', { body, params: { query: query as never } }))
}

export interface BulkTransferBody {
  ids?: number[]
  owner: number
  reason: string
  move_open_opportunities: boolean
  move_followups: boolean
  /** move open opportunities even when their quotes wait for approval */
  confirm_pending: boolean
}

/** Give leads or customers to a new owner in one transaction (ids, else the filter). */
export function bulkTransfer(
  collection: 'leads' | 'customers',
  body: BulkTransferBody,
  query: Query = {},
): Promise<{ transferred: number; opportunities: number; followups: number }> {
  const options = { body, params: { query: query as never } }
  return collection === 'leads'
    ? unwrap(client.POST('/api/v1/leads/bulk-transfer/', options))
    : unwrap(client.POST('/api/v1/customers/bulk-transfer/', options))
}

/** The company's tags in use, most used first. */
export function customerTags(): Promise<Array<{ name: string; customers: number }>> {
  return unwrap(client.GET('/api/v1/customer-groups/tags/'))
}

/** Put customers on a campaign's target list (a group; nothing: its own target). */
export function addCampaignMembers(id: number, body: { group?: number | null; customers?: number[] } = {}): Promise<{ added: number; members: number }> {
  return unwrap(client.POST('/api/v1/campaigns/{id}/add-members/', { params: { path: { id } }, body }))
}
