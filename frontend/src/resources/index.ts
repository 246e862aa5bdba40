/**
 * The resource registry. Sales (opportunities, quotes, contracts, payments),
 * service (complaints, follow-ups) and imports add an entry here when their
 * endpoints land; hand-made pages (kanban, dashboard, import wizard) are routes
 * of their own in router/index.ts.
 */
import type { FieldDef, FilterDef, ResourceConfig } from './types'
import { salesResources } from './sales'
import { serviceResources } from './service'
import { marketingResources } from './marketing'
import { activitiesResources } from './activities'
import { careResources } from './care'
import { messagingResources } from './messaging'
import { officeResources, withAttachments, withOfficeCards } from './office'
import { customerResources, withCustomerResources } from './customerResources'


const owner: FieldDef = { name: 'owner', type: 'user', display: 'owner_name' }
const createdAt: FieldDef = { name: 'created_at', type: 'datetime', sort: 'created_at' }
const updatedAt: FieldDef = { name: 'updated_at', type: 'datetime', sort: 'updated_at' }


export const leads: ResourceConfig = {
  key: 'leads',
  endpoint: 'leads',
  title: 'resources.leads',
  noun: 'nouns.lead',
  module: 'leads',
  menu: 'customers',
  icon: 'Aim',
  titleField: 'company_name',
  fields: [
    { name: 'company_name', required: true, sort: 'company_name', link: true, width: 200 },
    { name: 'contact_name' },
    { name: 'mobile' },
    { name: 'email' },
    { name: 'credit_code' },
    { name: 'source', type: 'dict', dict: 'source', display: 'source_label' },
    { name: 'need', type: 'textarea' },
    owner,
    { name: 'status', type: 'enum', process: 'lead', display: 'status_label', sort: 'status' },
    { name: 'disqualify_reason' },
    { name: 'customer', type: 'ref', ref: 'customers' },
    { name: 'activity_count', type: 'number' },
    { name: 'last_activity_at', type: 'datetime' },
    { name: 'pooled_at', type: 'datetime' },
    createdAt,
    updatedAt,
  ],
  columns: ['company_name', 'contact_name', 'mobile', 'source', 'status', 'owner', 'activity_count', 'last_activity_at', 'created_at'],
  hiddenColumns: ['email', 'pooled_at', 'updated_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'lead', multiple: true },
    { name: 'source', type: 'dict', dict: 'source' },
    { name: 'owner', type: 'user' },
    { name: 'created_at', type: 'daterange' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['company_name', 'contact_name', 'mobile', 'email', 'credit_code', 'source'] },
    { title: 'groups.need', fields: ['need'] },
    { title: 'groups.process', fields: ['status', 'owner', 'activity_count', 'last_activity_at', 'customer', 'disqualify_reason', 'pooled_at', 'created_at', 'updated_at'] },
  ],
  form: ['company_name', 'contact_name', 'mobile', 'email', 'credit_code', 'source', 'need', 'owner'],
  status: {
    field: 'status',
    display: 'status_label',
    types: { new: 'info', contacted: 'primary', qualified: 'warning', converted: 'success', disqualified: 'danger', pooled: 'info' },
  },
  transitions: true,
  history: true,
  timelineActivities: 'lead',
  timeline: 'lead',
  cardActions: [
    {
      label: 'actions.log_call',
      create: 'activities',
      preset: { lead: '$id', kind: 'call', occurred_at: '$now' },
      permission: 'activities.create',
      testid: 'log-activity',
    },
  ],
  export: true,
  importable: true,
  bulkOwner: 'owner',
  create: true,
  edit: true,
  delete: true,
  variants: [
    { key: 'pool', title: 'resources.lead_pool', query: { pool: 'true' }, rowTransitions: ['claim'], create: false },
  ],
}

export const customers: ResourceConfig = {
  key: 'customers',
  endpoint: 'customers',
  title: 'resources.customers',
  noun: 'nouns.customer',
  module: 'customers',
  menu: 'customers',
  icon: 'OfficeBuilding',
  titleField: 'name',
  fields: [
    { name: 'name', required: true, sort: 'name', link: true, width: 220 },
    { name: 'code', label: 'fields.customer_code', width: 120 },
    { name: 'kind', type: 'enum', choicesOf: 'customers' },
    { name: 'credit_code' },
    { name: 'industry', type: 'dict', dict: 'industry', display: 'industry_label' },
    { name: 'level', type: 'dict', dict: 'level', display: 'level_label' },
    { name: 'source', type: 'dict', dict: 'source', display: 'source_label' },
    { name: 'region' },
    owner,
    { name: 'phone' },
    { name: 'mobile' },
    { name: 'email' },
    { name: 'address' },
    { name: 'remark', type: 'textarea' },
    createdAt,
    updatedAt,
  ],
  columns: ['name', 'kind', 'industry', 'level', 'region', 'phone', 'owner', 'created_at'],
  hiddenColumns: ['code', 'credit_code', 'source', 'mobile', 'email', 'address', 'updated_at'],
  filters: [
    { name: 'code', label: 'fields.customer_code', type: 'text' },
    { name: 'kind', type: 'enum', choicesOf: 'customers' },
    { name: 'industry', type: 'dict', dict: 'industry' },
    { name: 'level', type: 'dict', dict: 'level' },
    { name: 'source', type: 'dict', dict: 'source' },
    { name: 'owner', type: 'user' },
    { name: 'region', type: 'text' },
    { name: 'created_at', type: 'daterange' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['name', 'code', 'kind', 'credit_code', 'industry', 'level', 'source'] },
    { title: 'groups.contact_info', fields: ['phone', 'mobile', 'email', 'region', 'address'] },
    { title: 'groups.remark', fields: ['remark'] },
    { title: 'groups.ownership', fields: ['owner', 'created_at', 'updated_at'] },
  ],
  form: ['name', 'code', 'kind', 'credit_code', 'industry', 'level', 'source', 'region', 'phone', 'mobile', 'email', 'address', 'remark', 'owner'],
  defaults: { kind: 'company' },
  history: true,
  timelineActivities: 'customer',
  timeline: 'customer',
  related: [
    { resource: 'contacts', param: 'customer', columns: ['name', 'mobile', 'email', 'title'] },
    { resource: 'activities', param: 'customer', columns: ['occurred_at', 'kind', 'subject', 'owner'] },
  ],
  cardActions: [
    { label: 'actions.add_contact', create: 'contacts', preset: { customer: '$id' }, permission: 'contacts.create', testid: 'add-contact' },
    { label: 'actions.log_activity', create: 'activities', preset: { customer: '$id', kind: 'visit' }, permission: 'activities.create', testid: 'log-customer-activity' },
  ],
  export: true,
  importable: true,
  bulkOwner: 'owner',
  create: true,
  edit: true,
  delete: true,
}

export const contacts: ResourceConfig = {
  key: 'contacts',
  endpoint: 'contacts',
  title: 'resources.contacts',
  noun: 'nouns.contact',
  module: 'contacts',
  menu: 'customers',
  icon: 'User',
  titleField: 'name',
  fields: [
    { name: 'name', required: true, sort: 'name', link: true },
    { name: 'customer', type: 'ref', ref: 'customers', display: 'customer_name', required: true },
    { name: 'mobile' },
    { name: 'email' },
    { name: 'title' },
    { name: 'birthday', type: 'date' },
    createdAt,
  ],
  columns: ['name', 'customer', 'mobile', 'email', 'title', 'created_at'],
  hiddenColumns: ['birthday'],
  filters: [{ name: 'customer', type: 'ref', ref: 'customers' }],
  search: true,
  defaultOrdering: '-id',
  groups: [{ title: 'groups.basic', fields: ['name', 'customer', 'mobile', 'email', 'title', 'birthday', 'created_at'] }],
  form: ['customer', 'name', 'mobile', 'email', 'title', 'birthday'],
  history: true,
  timeline: 'contact',
  export: true,
  importable: true,
  create: true,
  edit: true,
  delete: true,
}

export const activities: ResourceConfig = {
  key: 'activities',
  endpoint: 'activities',
  title: 'resources.activities',
  noun: 'nouns.activity',
  module: 'activities',
  menu: 'activities',
  icon: 'Phone',
  titleField: 'subject',
  fields: [
    { name: 'occurred_at', type: 'datetime', sort: 'occurred_at' },
    { name: 'kind', type: 'enum', choicesOf: 'activities', display: 'kind_label', required: true },
    { name: 'subject', required: true, link: true, width: 220 },
    { name: 'note', type: 'textarea' },
    { name: 'lead', type: 'ref', ref: 'leads' },
    { name: 'customer', type: 'ref', ref: 'customers' },
    { name: 'contact', type: 'ref', ref: 'contacts', label: 'activities.fields.contact', filterBy: { field: 'customer', param: 'customer' } },
    { name: 'opportunity', type: 'ref', ref: 'opportunities', label: 'activities.fields.opportunity' },
    { name: 'contract', type: 'ref', ref: 'contracts', label: 'activities.fields.contract' },
    { name: 'complaint', type: 'ref', ref: 'complaints', label: 'activities.fields.complaint' },
    { name: 'owner', type: 'user', display: 'owner_name' },
    createdAt,
  ],
  columns: ['occurred_at', 'kind', 'subject', 'lead', 'customer', 'owner'],
  hiddenColumns: ['note', 'created_at'],
  filters: [
    { name: 'kind', type: 'enum', choicesOf: 'activities' },
    { name: 'owner', type: 'user' },
    { name: 'occurred_at', type: 'daterange' },
  ],
  search: false,
  defaultOrdering: '-occurred_at',
  groups: [
    { title: 'groups.basic', fields: ['kind', 'subject', 'occurred_at', 'note', 'owner', 'created_at'] },
    { title: 'activities.groups.link', fields: ['lead', 'customer', 'contact', 'opportunity', 'contract', 'complaint'] },
  ],
  form: ['kind', 'subject', 'occurred_at', 'note', 'lead', 'customer', 'contact', 'opportunity', 'contract', 'complaint'],
  defaults: { kind: 'call' },
  history: true,
  export: true,
  create: true,
  edit: true,
  delete: true,
}

export const users: ResourceConfig = {
  key: 'users',
  endpoint: 'users',
  title: 'resources.users',
  noun: 'nouns.user',
  module: 'users',
  menu: 'system',
  icon: 'Avatar',
  titleField: 'username',
  fields: [
    { name: 'username', required: true, sort: 'username', link: true },
    { name: 'password', type: 'password', createOnly: true },
    { name: 'full_name', sort: 'full_name' },
    { name: 'email' },
    { name: 'roles', type: 'refs', ref: 'roles' },
    { name: 'team', type: 'ref', ref: 'teams', display: 'team_name' },
    { name: 'language', type: 'enum', choicesOf: 'users' },
    { name: 'is_active', type: 'bool' },
  ],
  columns: ['username', 'full_name', 'email', 'team', 'language', 'is_active'],
  filters: [
    { name: 'team', type: 'ref', ref: 'teams' },
    { name: 'is_active', type: 'bool' },
  ],
  search: false,
  defaultOrdering: 'id',
  groups: [{ title: 'groups.basic', fields: ['username', 'full_name', 'email', 'roles', 'team', 'language', 'is_active'] }],
  form: ['username', 'password', 'full_name', 'email', 'roles', 'team', 'language'],
  defaults: { language: 'zh-hans', roles: [] },
  history: true,
  create: true,
  edit: true,
  delete: true,
}

export const roles: ResourceConfig = {
  key: 'roles',
  endpoint: 'roles',
  title: 'resources.roles',
  noun: 'nouns.role',
  module: 'roles',
  menu: 'system',
  icon: 'Key',
  titleField: 'name',
  fields: [
    { name: 'name', required: true, link: true },
    { name: 'data_scope', type: 'enum', choicesOf: 'roles', required: true },
    { name: 'permissions', type: 'codes' },
    // the default role it started as (read only; empty for a role the admin made)
    { name: 'preset' },
  ],
  columns: ['name', 'data_scope', 'preset'],
  groups: [{ title: 'groups.basic', fields: ['name', 'data_scope', 'preset', 'permissions'] }],
  form: ['name', 'data_scope', 'permissions'],
  defaults: { data_scope: 'own', permissions: [] },
  history: true,
  create: true,
  edit: true,
  delete: true,
}

export const teams: ResourceConfig = {
  key: 'teams',
  endpoint: 'teams',
  title: 'resources.teams',
  noun: 'nouns.team',
  module: 'teams',
  menu: 'system',
  icon: 'Share',
  titleField: 'name',
  fields: [
    { name: 'name', required: true, link: true },
    { name: 'parent', type: 'ref', ref: 'teams' },
    { name: 'leader', type: 'user', display: 'leader_name' },
  ],
  columns: ['name', 'parent', 'leader'],
  groups: [{ title: 'groups.basic', fields: ['name', 'parent', 'leader'] }],
  form: ['name', 'parent', 'leader'],
  related: [{ resource: 'users', param: 'team', columns: ['username', 'full_name', 'email'] }],
  history: true,
  create: true,
  edit: true,
  delete: true,
}

export const resources: Record<string, ResourceConfig> = {
  leads,
  customers,
  contacts,
  activities,
  users,
  roles,
  teams,
  ...salesResources,
  ...serviceResources,
  ...marketingResources,
  ...activitiesResources,
  ...officeResources,
  ...careResources,
  ...messagingResources,
  ...customerResources,
}
// Groups, tags and campaigns on the lead and customer pages (issue 14).
withCustomerResources(resources)
// Attachable records' cards show their files.
withAttachments(resources)
// The 360 panel and quick create of customers; a follow-up, task or event from the cards.
withOfficeCards(resources)

export function resource(key: string): ResourceConfig {
  const config = resources[key]
  if (!config) throw new Error(`Unknown resource ${key}`)
  return config
}

/** The title of a record (card title, reference labels). */
export function recordTitle(config: ResourceConfig, record: Record<string, unknown>): string {
  return config.titleOf ? config.titleOf(record) : String(record[config.titleField] ?? `#${record.id}`)
}

export function field(config: ResourceConfig, name: string): FieldDef {
  return config.fields.find((f) => f.name === name) ?? { name }
}

/** What labels a filter: its own label, else the record's field of the same name (its label or text). */
export function filterLabelOf(config: ResourceConfig, filter: FilterDef): FieldDef {
  if (filter.label) return { name: filter.name, label: filter.label }
  const { label, text } = field(config, filter.name)
  return { name: filter.name, label, text }
}

/** The route of a record's card. */
export function cardPath(key: string, id: number | string): string {
  return `/${key}/${id}`
}
