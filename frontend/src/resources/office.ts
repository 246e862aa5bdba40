/**
 * The office module's resources: announcements (公告: drafted, published to an
 * audience, archived; read receipts in a card panel) and the attachments panel
 * every attachable record's card shows (see `withAttachments`).
 */
import { defineAsyncComponent } from 'vue'
import type { CardAction, FieldDef, PanelDef, ResourceConfig } from './types'

const AnnouncementPanel = defineAsyncComponent(() => import('@/components/office/AnnouncementPanel.vue'))
const AttachmentsPanel = defineAsyncComponent(() => import('@/components/office/AttachmentsPanel.vue'))
const CustomerOverviewPanel = defineAsyncComponent(() => import('@/components/office/CustomerOverviewPanel.vue'))

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
    f('teams', { type: 'refs', ref: 'teams', shownWhen: { field: 'audience', in: ['teams'] } }),
    f('roles', { type: 'refs', ref: 'roles', shownWhen: { field: 'audience', in: ['roles'] } }),
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
  export: true,
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

/** The cards that offer a follow-up, a task and an event in one click, and the
 * field of those records that names the card's record (the follow-up of a contact
 * goes on the contact's customer: follow-ups name no contact). */
export const ONE_CLICK: Record<string, { followUp?: Record<string, string>; link: string }> = {
  customers: { followUp: { customer: '$id', owner: '$owner' }, link: 'customer' },
  contacts: { followUp: { customer: '$customer' }, link: 'contact' },
  leads: { followUp: { lead: '$id', owner: '$owner' }, link: 'lead' },
  opportunities: { followUp: { opportunity: '$id', owner: '$owner' }, link: 'opportunity' },
  contracts: { followUp: { contract: '$id', owner: '$owner' }, link: 'contract' },
  // A complaint's follow-up is its return visit, offered by the complaint's own action.
  complaints: { link: 'complaint' },
}

/**
 * The daily office on the other modules' cards: the 360 panel and the quick-create
 * page of customers, and "a follow-up, task or event in one click" on the cards of
 * customers, contacts, leads, opportunities, contracts and complaints (each preset
 * with the card's record).
 */
export function withOfficeCards(resources: Record<string, ResourceConfig>): void {
  const customers = resources.customers
  if (customers && !customers.panels?.some((p) => p.key === 'overview')) {
    customers.panels = [{ key: 'overview', component: CustomerOverviewPanel, after: 'groups.basic' }, ...(customers.panels ?? [])]
    customers.pages = [...(customers.pages ?? []), { key: 'quick-create', title: 'office.quick.title', icon: 'OfficeBuilding' }]
  }
  for (const [key, { followUp, link }] of Object.entries(ONE_CLICK)) {
    const config = resources[key]
    if (!config || config.cardActions?.some((a) => a.testid === 'new-task')) continue
    const added: CardAction[] = []
    if (followUp) {
      added.push({ label: 'office.actions.new_follow_up', create: 'follow-ups', preset: { kind: 'follow_up', ...followUp }, permission: 'followups.create', testid: 'new-follow-up' })
    }
    added.push(
      { label: 'office.actions.new_task', create: 'tasks', preset: { [link]: '$id' }, permission: 'activities.task.create', testid: 'new-task' },
      { label: 'office.actions.new_event', create: 'events', preset: { [link]: '$id' }, permission: 'activities.event.create', testid: 'new-event' },
    )
    config.cardActions = [...(config.cardActions ?? []), ...added]
  }
}

export const officeResources: Record<string, ResourceConfig> = { announcements }
