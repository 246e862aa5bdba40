/**
 * Messaging (issue 16): the mass send composer's calls — the channels, templates
 * and customer groups to choose from, a draft mass send, its preview (count,
 * suppressed, SMS segments), the start transition and the progress it polls.
 * The other messaging pages are resource-driven (resources/messaging.ts).
 */
import { client, unwrap } from './client'

export interface Option {
  id: number
  name: string
  kind?: string
  channel_kind?: string
}

export interface MassSendProgress {
  total: number
  sent: number
  failed: number
  suppressed: number
  remaining: number
}

export interface MassSend {
  id: number
  name: string
  status: string
  progress: MassSendProgress
}

export interface MassSendPreview {
  count: number
  suppressed: number
  recipients: number
  segments?: number
  segments_per_message?: number
  sample: { body?: string; text?: string; characters?: number }
}

export interface MassSendDraft {
  name: string
  channel: number
  template: number
  audience: 'group' | 'campaign' | 'filter'
  group_id?: number | null
  campaign_id?: number | null
}

const ALL = { page_size: 200 }

export async function channelOptions(): Promise<Option[]> {
  const page = await unwrap(client.GET('/api/v1/channels/', { params: { query: { ...ALL, active: true } as never } }))
  return (page as unknown as { results: Option[] }).results
}

export async function templateOptions(): Promise<Option[]> {
  const page = await unwrap(client.GET('/api/v1/message-templates/', { params: { query: ALL as never } }))
  return (page as unknown as { results: Option[] }).results
}

export async function groupOptions(): Promise<Option[]> {
  const page = await unwrap(client.GET('/api/v1/customer-groups/', { params: { query: ALL as never } }))
  return (page as unknown as { results: Option[] }).results
}

export async function createMassSend(draft: MassSendDraft): Promise<MassSend> {
  return (await unwrap(client.POST('/api/v1/mass-sends/', { body: draft as never }))) as unknown as MassSend
}

export async function massSendPreview(id: number): Promise<MassSendPreview> {
  return (await unwrap(
    client.GET('/api/v1/mass-sends/{id}/preview/', { params: { path: { id } } }),
  )) as unknown as MassSendPreview
}

export async function startMassSend(id: number): Promise<MassSend> {
  return (await unwrap(
    client.POST('/api/v1/mass-sends/{id}/transitions/start/', { params: { path: { id } }, body: {} as never }),
  )) as unknown as MassSend
}

export async function getMassSend(id: number): Promise<MassSend> {
  return (await unwrap(client.GET('/api/v1/mass-sends/{id}/', { params: { path: { id } } }))) as unknown as MassSend
}

export async function replayWebhookDelivery(id: number): Promise<{ id: number }> {
  return (await unwrap(
    client.POST('/api/v1/webhook-deliveries/{id}/replay/', { params: { path: { id } } }),
  )) as unknown as { id: number }
}

export interface TemplatePreview {
  subject: string
  body: string
  values: Record<string, string>
  text?: string
  characters?: number
  segments?: number
}

/** A template rendered for a record (`model` = contact | customer), or with no record. */
export async function templatePreview(id: number, model?: string, recordId?: number | null): Promise<TemplatePreview> {
  const query: Record<string, unknown> = recordId ? { model, id: recordId } : {}
  return (await unwrap(
    client.GET('/api/v1/message-templates/{id}/preview/', { params: { path: { id }, query: query as never } }),
  )) as unknown as TemplatePreview
}
