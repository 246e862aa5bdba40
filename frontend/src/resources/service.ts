/**
 * Customer service resources: complaints (with SLA countdowns), follow-ups and
 * return visits, service tickets, customer projects, feedback. Registered in
 * resources/index.ts; their labels live under `service.fields` in the catalogs.
 */
import type { FieldDef, ResourceConfig } from './types'


/** A field labelled from the service group of the catalogs. */
const f = (name: string, extra: Omit<FieldDef, 'name'> = {}): FieldDef => ({ name, label: `service.fields.${name}`, ...extra })

const owner: FieldDef = { name: 'owner', type: 'user', display: 'owner_name' }
// The customer (and a follow-up's target) is fixed once the record exists.
const customer: FieldDef = { name: 'customer', type: 'ref', ref: 'customers', display: 'customer_name', required: true, createOnly: true }
const contact = f('contact', { type: 'ref', ref: 'contacts', display: 'contact_name', filterBy: { field: 'customer', param: 'customer' } })
const contract = f('contract', { type: 'ref', ref: 'contracts' })
const createdAt: FieldDef = { name: 'created_at', type: 'datetime', sort: 'created_at' }
const updatedAt: FieldDef = { name: 'updated_at', type: 'datetime' }


export const complaints: ResourceConfig = {
  key: 'complaints',
  endpoint: 'complaints',
  title: 'resources.complaints',
  noun: 'nouns.complaint',
  module: 'complaints',
  menu: 'service',
  icon: 'Warning',
  titleField: 'customer_name',
  fields: [
    f('description', { type: 'textarea', required: true, link: true, width: 240 }),
    customer,
    contact,
    f('channel', { type: 'enum', choicesOf: 'complaints', display: 'channel_label' }),
    f('severity', { type: 'enum', choicesOf: 'complaints', display: 'severity_label' }),
    f('category', { type: 'enum', choicesOf: 'complaints', display: 'category_label' }),
    owner,
    { name: 'status', type: 'enum', process: 'complaint', display: 'status_label', sort: 'status' },
    f('sla', {
      type: 'countdown',
      width: 170,
      clocks: [
        { due: 'acknowledge_due_at', done: 'acknowledged_at', label: 'sla.acknowledge' },
        { due: 'resolve_due_at', done: 'resolved_at', label: 'sla.resolve' },
      ],
    }),
    f('received_at', { type: 'datetime', sort: 'received_at', createOnly: true }),
    f('acknowledge_due_at', { type: 'datetime', sort: 'acknowledge_due_at' }),
    f('acknowledged_at', { type: 'datetime' }),
    f('resolve_due_at', { type: 'datetime', sort: 'resolve_due_at' }),
    f('resolved_at', { type: 'datetime' }),
    f('closed_at', { type: 'datetime' }),
    f('resolution', { type: 'textarea' }),
    f('reopen_count', { type: 'number' }),
    f('breached', { type: 'bool' }),
    createdAt,
    updatedAt,
  ],
  columns: ['description', 'customer', 'severity', 'status', 'sla', 'owner', 'received_at'],
  hiddenColumns: ['channel', 'category', 'contact', 'acknowledge_due_at', 'resolve_due_at', 'breached', 'reopen_count'],
  filters: [
    { name: 'status', type: 'enum', process: 'complaint', multiple: true },
    { name: 'severity', type: 'enum', choicesOf: 'complaints', multiple: true, label: 'service.fields.severity' },
    { name: 'owner', type: 'user' },
    { name: 'customer', type: 'ref', ref: 'customers' },
    { name: 'breached', type: 'bool', label: 'service.fields.breached' },
    { name: 'received_at', type: 'daterange', label: 'service.fields.received_at' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'service.groups.complaint', fields: ['customer', 'contact', 'channel', 'severity', 'category', 'description'] },
    { title: 'service.groups.sla', fields: ['status', 'sla', 'received_at', 'acknowledge_due_at', 'acknowledged_at', 'resolve_due_at', 'resolved_at', 'closed_at', 'breached', 'reopen_count'] },
    { title: 'service.groups.handling', fields: ['owner', 'resolution', 'created_at', 'updated_at'] },
  ],
  form: ['customer', 'contact', 'channel', 'severity', 'category', 'received_at', 'owner', 'description'],
  defaults: { channel: 'phone', severity: 'normal', category: 'other' },
  status: {
    field: 'status',
    display: 'status_label',
    types: { received: 'danger', acknowledged: 'warning', investigating: 'primary', resolved: 'success', closed: 'info' },
  },
  transitions: true,
  history: true,
  timeline: 'complaint',
  related: [
    { resource: 'follow-ups', param: 'complaint', columns: ['kind', 'subject', 'due_at', 'status', 'satisfaction', 'owner'] },
  ],
  cardActions: [
    {
      label: 'service.actions.plan_return_visit',
      create: 'follow-ups',
      preset: { complaint: '$id', kind: 'return_visit', owner: '$owner' },
      permission: 'followups.create',
      testid: 'plan-return-visit',
    },
  ],
  bulkOwner: 'owner',
  create: true,
  edit: true,
  delete: true,
  export: true,
}


export const followUps: ResourceConfig = {
  key: 'follow-ups',
  endpoint: 'follow-ups',
  title: 'resources.follow_ups',
  noun: 'nouns.follow_up',
  module: 'followups',
  menu: 'service',
  icon: 'Calendar',
  titleField: 'subject',
  fields: [
    f('subject', { link: true, width: 200 }),
    { name: 'kind', type: 'enum', choicesOf: 'follow-ups', display: 'kind_label', required: true },
    f('target_name'),
    { name: 'lead', type: 'ref', ref: 'leads', createOnly: true },
    { name: 'customer', type: 'ref', ref: 'customers', createOnly: true },
    f('complaint', { type: 'ref', ref: 'complaints', createOnly: true }),
    f('opportunity', { type: 'ref', ref: 'opportunities', createOnly: true }),
    { ...contract, createOnly: true },
    f('due_at', { type: 'datetime', sort: 'due_at', required: true }),
    owner,
    { name: 'status', type: 'enum', process: 'followup', display: 'status_label', sort: 'status' },
    f('outcome', { type: 'textarea' }),
    f('satisfaction', { type: 'enum', enum: 'satisfaction', options: ['5', '4', '3', '2', '1'] }),
    f('done_at', { type: 'datetime', sort: 'done_at' }),
    f('missed_at', { type: 'datetime' }),
    f('reschedule_count', { type: 'number' }),
    createdAt,
    updatedAt,
  ],
  columns: ['subject', 'kind', 'target_name', 'due_at', 'status', 'owner', 'satisfaction'],
  hiddenColumns: ['outcome', 'done_at', 'created_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'followup', multiple: true },
    { name: 'kind', type: 'enum', choicesOf: 'follow-ups', multiple: true },
    { name: 'owner', type: 'user' },
    { name: 'overdue', type: 'bool', label: 'service.fields.overdue' },
    { name: 'due_at', type: 'daterange', label: 'service.fields.due_at' },
  ],
  search: false,
  defaultOrdering: 'due_at',
  groups: [
    { title: 'groups.basic', fields: ['kind', 'subject', 'target_name', 'due_at', 'owner', 'status'] },
    { title: 'service.groups.outcome', fields: ['outcome', 'satisfaction', 'done_at', 'missed_at', 'reschedule_count', 'created_at', 'updated_at'] },
  ],
  form: ['kind', 'subject', 'due_at', 'owner', 'customer', 'lead', 'complaint', 'opportunity', 'contract'],
  defaults: { kind: 'follow_up' },
  status: {
    field: 'status',
    display: 'status_label',
    types: { planned: 'primary', done: 'success', missed: 'danger', cancelled: 'info' },
  },
  transitions: true,
  history: true,
  create: true,
  edit: true,
  delete: true,
  export: true,
}


export const tickets: ResourceConfig = {
  key: 'tickets',
  endpoint: 'tickets',
  title: 'resources.tickets',
  noun: 'nouns.ticket',
  module: 'tickets',
  menu: 'service',
  icon: 'Tickets',
  titleField: 'subject',
  fields: [
    f('subject', { required: true, link: true, width: 220 }),
    customer,
    contract,
    f('description', { type: 'textarea' }),
    f('priority', { type: 'enum', choicesOf: 'tickets', display: 'priority_label', sort: 'priority' }),
    owner,
    { name: 'status', type: 'enum', process: 'ticket', display: 'status_label', sort: 'status' },
    f('resolution', { type: 'textarea' }),
    f('started_at', { type: 'datetime' }),
    f('resolved_at', { type: 'datetime' }),
    f('closed_at', { type: 'datetime' }),
    createdAt,
    updatedAt,
  ],
  columns: ['subject', 'customer', 'priority', 'status', 'owner', 'created_at'],
  hiddenColumns: ['contract', 'started_at', 'resolved_at', 'closed_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'ticket', multiple: true },
    { name: 'priority', type: 'enum', choicesOf: 'tickets', label: 'service.fields.priority' },
    { name: 'owner', type: 'user' },
    { name: 'customer', type: 'ref', ref: 'customers' },
    { name: 'created_at', type: 'daterange' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['subject', 'customer', 'contract', 'priority', 'description'] },
    { title: 'service.groups.handling', fields: ['status', 'owner', 'resolution', 'started_at', 'resolved_at', 'closed_at', 'created_at', 'updated_at'] },
  ],
  form: ['subject', 'customer', 'contract', 'priority', 'owner', 'description'],
  defaults: { priority: 'normal' },
  status: {
    field: 'status',
    display: 'status_label',
    types: { open: 'warning', in_progress: 'primary', resolved: 'success', closed: 'info' },
  },
  transitions: true,
  history: true,
  bulkOwner: 'owner',
  create: true,
  edit: true,
  delete: true,
  export: true,
}


export const projects: ResourceConfig = {
  key: 'projects',
  endpoint: 'projects',
  title: 'resources.projects',
  noun: 'nouns.project',
  module: 'projects',
  menu: 'service',
  icon: 'Files',
  titleField: 'name',
  fields: [
    { name: 'name', required: true, link: true, width: 220 },
    customer,
    contract,
    f('description', { type: 'textarea' }),
    { ...owner, label: 'service.fields.project_manager' },
    f('planned_start', { type: 'date' }),
    f('planned_end', { type: 'date', sort: 'planned_end' }),
    { name: 'status', type: 'enum', process: 'project', display: 'status_label', sort: 'status' },
    f('started_at', { type: 'datetime' }),
    f('accepted_at', { type: 'datetime' }),
    f('acceptance_note', { type: 'textarea' }),
    f('cancelled_at', { type: 'datetime' }),
    f('cancel_reason'),
    createdAt,
    updatedAt,
  ],
  columns: ['name', 'customer', 'owner', 'planned_start', 'planned_end', 'status'],
  hiddenColumns: ['contract', 'started_at', 'accepted_at', 'created_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'project', multiple: true },
    { name: 'owner', type: 'user', label: 'service.fields.project_manager' },
    { name: 'customer', type: 'ref', ref: 'customers' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['name', 'customer', 'contract', 'owner', 'planned_start', 'planned_end', 'description'] },
    { title: 'groups.process', fields: ['status', 'started_at', 'accepted_at', 'acceptance_note', 'cancelled_at', 'cancel_reason', 'created_at', 'updated_at'] },
  ],
  form: ['name', 'customer', 'contract', 'owner', 'planned_start', 'planned_end', 'description'],
  status: {
    field: 'status',
    display: 'status_label',
    types: { planned: 'info', running: 'primary', accepted: 'success', cancelled: 'danger' },
  },
  transitions: true,
  history: true,
  bulkOwner: 'owner',
  create: true,
  edit: true,
  delete: true,
  export: true,
}


export const feedback: ResourceConfig = {
  key: 'feedback',
  endpoint: 'feedback',
  title: 'resources.feedback',
  noun: 'nouns.feedback',
  module: 'feedback',
  menu: 'service',
  icon: 'ChatDotRound',
  titleField: 'customer_name',
  fields: [
    f('text', { type: 'textarea', required: true, link: true, width: 280 }),
    customer,
    contact,
    { name: 'kind', type: 'enum', choicesOf: 'feedback', display: 'kind_label' },
    f('handled', { type: 'bool' }),
    f('handled_at', { type: 'datetime' }),
    f('handled_by', { type: 'user', display: 'handled_by_name' }),
    createdAt,
  ],
  columns: ['text', 'customer', 'kind', 'handled', 'handled_by', 'created_at'],
  hiddenColumns: ['contact', 'handled_at'],
  filters: [
    { name: 'kind', type: 'enum', choicesOf: 'feedback' },
    { name: 'handled', type: 'bool', label: 'service.fields.handled' },
    { name: 'customer', type: 'ref', ref: 'customers' },
    { name: 'created_at', type: 'daterange' },
  ],
  search: false,
  defaultOrdering: '-id',
  groups: [{ title: 'groups.basic', fields: ['customer', 'contact', 'kind', 'text', 'handled', 'handled_at', 'handled_by', 'created_at'] }],
  form: ['customer', 'contact', 'kind', 'text', 'handled'],
  defaults: { kind: 'other', handled: false },
  history: true,
  create: true,
  edit: true,
  delete: true,
  export: true,
}

/** The service resources, in menu order. */
export const serviceResources: Record<string, ResourceConfig> = {
  complaints,
  'follow-ups': followUps,
  tickets,
  projects,
  feedback,
}
