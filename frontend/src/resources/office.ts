/**
 * The office module's resources: announcements (公告: drafted, published to an
 * audience, archived; read receipts in a card panel) and the attachments panel
 * every attachable record's card shows (see `withAttachments`).
 */
import { defineAsyncComponent } from 'vue'
import type { FieldDef, PanelDef, ResourceConfig } from './types'

const AnnouncementPanel = defineAsyncComponent(() => import('@/components/office/AnnouncementPanel.vue'))
const AttachmentsPanel = defineAsyncComponent(() => import('@/components/office/AttachmentsPanel.vue'))

const f = (name: string, rest: Omit<FieldDef, 'name'> = {}): FieldDef => ({ name, label: `office.fields.${name}`, ...rest })

export const announcements: ResourceConfig = {
  key: 'announcements',
  endpoint: 'announcements',
  title: 'office.resources.announcements',
  noun: 'office.nouns.announcement',
  module: 'office.announcement',
  menu: 'activities',
  icon: 'Bell',
  titleField: 'title',
  fields: [
    f('title', { required: true, link: true, width: 240, maxLength: 200 }),
    f('body', { type: 'textarea' }),
    f('audience', { type: 'enum', choicesOf: 'announcements', display: 'audience_label' }),
    f('teams', { type: 'refs', ref: 'teams' }),
    f('roles', { type: 'refs', ref: 'roles' }),
    f('pinned', { type: 'bool' }),
    { name: 'status', type: 'enum', process: 'announcement', display: 'status_label' },
    f('author', { type: 'user', display: 'author_name' }),
    f('published_at', { type: 'datetime', sort: 'published_at' }),
    f('archived_at', { type: 'datetime' }),
    f('read', { type: 'bool' }),
    { name: 'created_at', type: 'datetime', sort: 'created_at' },
  ],
  columns: ['title', 'audience', 'pinned', 'status', 'author', 'published_at', 'read'],
  hiddenColumns: ['archived_at', 'created_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'announcement', multiple: true },
    { name: 'pinned', type: 'bool' },
  ],
  groups: [
    { title: 'groups.basic', fields: ['title', 'body'] },
    { title: 'groups.process', fields: ['audience', 'teams', 'roles', 'pinned', 'status', 'author', 'published_at', 'archived_at', 'created_at'] },
  ],
  form: ['title', 'body', 'audience', 'teams', 'roles', 'pinned'],
  defaults: { audience: 'all', pinned: false },
  status: { field: 'status', display: 'status_label', types: { draft: 'info', published: 'success', archived: 'warning' } },
  transitions: true,
  history: true,
  panels: [{ key: 'announcement-read', component: AnnouncementPanel }],
  editable: (record) => record.status === 'draft',
  create: true,
  edit: true,
  delete: true,
}

/** The resources whose records take attachments (the API's attachable record kinds). */
export const ATTACHABLE: Record<string, string> = {
  customers: 'customer',
  contacts: 'contact',
  leads: 'lead',
  opportunities: 'opportunity',
  quotes: 'quote',
  contracts: 'contract',
  payments: 'payment',
  complaints: 'complaint',
}

/** The attachments panel, added to the card of every attachable resource. */
export function withAttachments(resources: Record<string, ResourceConfig>): void {
  for (const key of Object.keys(ATTACHABLE)) {
    const config = resources[key]
    if (!config || config.panels?.some((p) => p.key === 'attachments')) continue
    const panel: PanelDef = { key: 'attachments', component: AttachmentsPanel }
    config.panels = [...(config.panels ?? []), panel]
  }
}

export const officeResources: Record<string, ResourceConfig> = { announcements }
