/**
 * Customer resources in full (issue 14): customer groups and free tags (columns,
 * filters, a bulk action on the customer list), lead forms (public page
 * /f/<key>/), campaigns (战役) with their figures and target list, assignment
 * and pool rules; bulk transfer of leads and customers in one request.
 */
import { defineAsyncComponent } from 'vue'
import type { FieldDef, ResourceConfig } from './types'

const BulkLabelAction = defineAsyncComponent(() => import('@/components/customers/BulkLabelAction.vue'))
const BulkTransferAction = defineAsyncComponent(() => import('@/components/customers/BulkTransferAction.vue'))
const BulkExportAction = defineAsyncComponent(() => import('@/components/BulkExportAction.vue'))
const BulkDeleteAction = defineAsyncComponent(() => import('@/components/BulkDeleteAction.vue'))
const CampaignPanel = defineAsyncComponent(() => import('@/components/customers/CampaignPanel.vue'))
const LeadFormLinkPanel = defineAsyncComponent(() => import('@/components/customers/LeadFormLinkPanel.vue'))

const f = (name: string, rest: Omit<FieldDef, 'name'> = {}): FieldDef => ({ name, label: `cr.fields.${name}`, ...rest })
const createdAt: FieldDef = { name: 'created_at', type: 'datetime', sort: 'created_at' }

export const customerGroups: ResourceConfig = {
  key: 'customer-groups',
  endpoint: 'customer-groups',
  title: 'cr.resources.customer_groups',
  noun: 'cr.nouns.customer_group',
  module: 'customer_groups',
  menu: 'customers',
  icon: 'Share',
  titleField: 'name',
  fields: [
    f('name', { required: true, sort: 'name', link: true, width: 220 }),
    f('description'),
    f('customer_count', { type: 'number', sort: 'customer_count' }),
    createdAt,
  ],
  columns: ['name', 'description', 'customer_count', 'created_at'],
  search: true,
  defaultOrdering: 'name',
  groups: [{ title: 'groups.basic', fields: ['name', 'description', 'customer_count', 'created_at'] }],
  form: ['name', 'description'],
  related: [{ resource: 'customers', param: 'group', columns: ['name', 'level', 'region', 'owner'], title: 'cr.groups.members' }],
  history: true,
  export: true,
  create: true,
  edit: true,
  delete: true,
}

export const leadForms: ResourceConfig = {
  key: 'lead-forms',
  endpoint: 'lead-forms',
  title: 'cr.resources.lead_forms',
  noun: 'cr.nouns.lead_form',
  module: 'lead_forms',
  menu: 'customers',
  icon: 'Document',
  titleField: 'name',
  fields: [
    f('name', { required: true, sort: 'name', link: true, width: 200 }),
    f('title'),
    f('shown_fields', { type: 'enum', choicesOf: 'lead-forms', multiple: true }),
    { name: 'source', type: 'dict', dict: 'source', display: 'source_label' },
    f('campaign', { type: 'ref', ref: 'campaigns', display: 'campaign_name' }),
    f('default_owner', { type: 'user', display: 'default_owner_name' }),
    f('thank_you', { type: 'textarea' }),
    f('active', { type: 'bool' }),
    f('public_path'),
    f('submissions', { type: 'number', sort: 'submissions' }),
    createdAt,
  ],
  columns: ['name', 'source', 'campaign', 'active', 'submissions', 'created_at'],
  filters: [
    { name: 'active', type: 'bool' },
    { name: 'campaign', type: 'ref', ref: 'campaigns' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['name', 'title', 'shown_fields', 'source', 'campaign', 'default_owner', 'active'] },
    { title: 'cr.groups.thanks', fields: ['thank_you', 'submissions', 'created_at'] },
  ],
  form: ['name', 'title', 'shown_fields', 'source', 'campaign', 'default_owner', 'thank_you', 'active'],
  defaults: { active: true, shown_fields: ['contact_name', 'need'] },
  panels: [{ key: 'public-link', component: LeadFormLinkPanel, after: 'groups.basic' }],
  history: true,
  create: true,
  edit: true,
  delete: true,
}

export const campaigns: ResourceConfig = {
  key: 'campaigns',
  endpoint: 'campaigns',
  title: 'cr.resources.campaigns',
  noun: 'cr.nouns.campaign',
  module: 'marketing.campaign',
  menu: 'marketing',
  icon: 'TrendCharts',
  titleField: 'name',
  fields: [
    f('name', { required: true, sort: 'name', link: true, width: 200 }),
    f('starts_on', { type: 'date', sort: 'starts_on' }),
    f('ends_on', { type: 'date' }),
    f('budget', { type: 'money', sort: 'budget' }),
    f('cost', { type: 'money', sort: 'cost' }),
    { name: 'owner', type: 'user', display: 'owner_name' },
    f('target_group', { type: 'ref', ref: 'customer-groups', display: 'target_group_name' }),
    f('description', { type: 'textarea' }),
    { name: 'status', type: 'enum', process: 'campaign', display: 'status_label' },
    f('cancel_reason'),
    createdAt,
  ],
  columns: ['name', 'starts_on', 'ends_on', 'budget', 'cost', 'status', 'owner'],
  filters: [
    { name: 'status', type: 'enum', process: 'campaign', multiple: true },
    { name: 'owner', type: 'user' },
    { name: 'starts_on', type: 'daterange' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['name', 'starts_on', 'ends_on', 'budget', 'cost', 'owner', 'target_group', 'description'] },
    { title: 'groups.workflow', fields: ['status', 'cancel_reason', 'created_at'] },
  ],
  form: ['name', 'starts_on', 'ends_on', 'budget', 'cost', 'owner', 'target_group', 'description'],
  status: { field: 'status', display: 'status_label', types: { planned: 'info', active: 'primary', completed: 'success', cancelled: 'danger' } },
  transitions: true,
  history: true,
  panels: [{ key: 'figures', component: CampaignPanel, after: 'groups.basic' }],
  related: [
    { resource: 'campaign-members', param: 'campaign', columns: ['customer', 'response', 'responded_at', 'note'], title: 'cr.campaign.members' },
    { resource: 'leads', param: 'campaign', columns: ['company_name', 'contact_name', 'status', 'owner'] },
    { resource: 'marketing-events', param: 'campaign', columns: ['name', 'starts_on', 'status'] },
    { resource: 'requisitions', param: 'campaign', columns: ['number', 'purpose', 'total_cost', 'status'] },
  ],
  export: true,
  create: true,
  edit: true,
  delete: true,
}

export const campaignMembers: ResourceConfig = {
  key: 'campaign-members',
  endpoint: 'campaign-members',
  title: 'cr.resources.campaign_members',
  noun: 'cr.nouns.campaign_member',
  module: 'marketing.campaign',
  titleField: 'customer_name',
  fields: [
    f('customer', { type: 'ref', ref: 'customers', display: 'customer_name', link: true }),
    f('campaign', { type: 'ref', ref: 'campaigns' }),
    f('response', { type: 'enum', choicesOf: 'campaign-members', display: 'response_label' }),
    f('responded_at', { type: 'datetime' }),
    f('note'),
    createdAt,
  ],
  columns: ['customer', 'response', 'responded_at', 'note'],
  filters: [{ name: 'response', type: 'enum', choicesOf: 'campaign-members' }],
  defaultOrdering: 'id',
  groups: [{ title: 'groups.basic', fields: ['customer', 'campaign', 'response', 'responded_at', 'note', 'created_at'] }],
  form: ['response', 'note'],
  history: true,
  export: true,
  create: false,
  edit: true,
  delete: true,
}


export const assignmentRules: ResourceConfig = {
  key: 'assignment-rules',
  endpoint: 'assignment-rules',
  title: 'cr.resources.assignment_rules',
  noun: 'cr.nouns.assignment_rule',
  module: 'assignment_rules',
  menu: 'customers',
  icon: 'Setting',
  titleField: 'name',
  fields: [
    f('name', { required: true, link: true, sort: 'name' }),
    f('order', { type: 'number', sort: 'order' }),
    f('active', { type: 'bool' }),
    { name: 'source', type: 'dict', dict: 'source', display: 'source_label' },
    f('region'),
    { name: 'industry', type: 'dict', dict: 'industry', display: 'industry_label' },
    f('campaign', { type: 'ref', ref: 'campaigns', display: 'campaign_name' }),
    f('strategy', { type: 'enum', choicesOf: 'assignment-rules', display: 'strategy_label', required: true }),
    f('team', { type: 'ref', ref: 'teams', display: 'team_name' }),
    f('user', { type: 'user', display: 'user_name' }),
    createdAt,
  ],
  columns: ['order', 'name', 'active', 'source', 'region', 'industry', 'campaign', 'strategy', 'team', 'user'],
  defaultOrdering: 'order',
  groups: [
    { title: 'cr.groups.match', fields: ['name', 'order', 'active', 'source', 'region', 'industry', 'campaign'] },
    { title: 'cr.groups.assign', fields: ['strategy', 'team', 'user'] },
  ],
  form: ['name', 'order', 'active', 'source', 'region', 'industry', 'campaign', 'strategy', 'team', 'user'],
  defaults: { active: true, order: 10, strategy: 'round_robin' },
  history: true,
  create: true,
  edit: true,
  delete: true,
}

export const poolLevelRules: ResourceConfig = {
  key: 'pool-level-rules',
  endpoint: 'pool-level-rules',
  title: 'cr.resources.pool_level_rules',
  noun: 'cr.nouns.pool_level_rule',
  module: 'assignment_rules',
  menu: 'customers',
  icon: 'Setting',
  titleField: 'level_label',
  fields: [
    { name: 'level', type: 'dict', dict: 'level', display: 'level_label', required: true, link: true },
    f('idle_days', { type: 'number', required: true }),
  ],
  columns: ['level', 'idle_days'],
  defaultOrdering: 'id',
  groups: [{ title: 'groups.basic', fields: ['level', 'idle_days'] }],
  form: ['level', 'idle_days'],
  history: true,
  create: true,
  edit: true,
  delete: true,
}

export const customerResources: Record<string, ResourceConfig> = {
  'customer-groups': customerGroups,
  'lead-forms': leadForms,
  'assignment-rules': assignmentRules,
  'pool-level-rules': poolLevelRules,
  campaigns,
  'campaign-members': campaignMembers,
}

/** Groups, tags and campaigns on the lead and customer pages; bulk actions in one request. */
export function withCustomerResources(resources: Record<string, ResourceConfig>): void {
  const { customers, leads, opportunities, contacts } = resources
  if (contacts && !contacts.bulkActions) {
    // A selection of contacts: export it, or delete it after seeing what would go.
    contacts.bulkActions = [BulkExportAction, BulkDeleteAction]
  }
  if (customers && !customers.fields.some((x) => x.name === 'tags')) {
    customers.fields.push(
      f('groups', { type: 'refs', ref: 'customer-groups' }),
      f('tags', { type: 'tags' }),
    )
    customers.columns = [...customers.columns.slice(0, 1), 'tags', ...customers.columns.slice(1)]
    customers.hiddenColumns = [...(customers.hiddenColumns ?? []), 'groups']
    customers.filters = [
      ...(customers.filters ?? []),
      { name: 'group', type: 'ref', ref: 'customer-groups', label: 'cr.fields.group' },
      { name: 'tag', type: 'text', label: 'cr.fields.tag' },
    ]
    customers.groups = [...customers.groups, { title: 'cr.groups.labels', fields: ['groups', 'tags'] }]
    customers.form = [...customers.form, 'groups', 'tags']
    customers.defaults = { ...(customers.defaults ?? {}), groups: [], tags: [] }
    customers.bulkOwner = undefined
    customers.bulkActions = [BulkLabelAction, BulkTransferAction, BulkExportAction, BulkDeleteAction]
  }
  if (leads && !leads.fields.some((x) => x.name === 'campaign')) {
    leads.fields.push(f('campaign', { type: 'ref', ref: 'campaigns', display: 'campaign_name' }), f('region'))
    leads.hiddenColumns = [...(leads.hiddenColumns ?? []), 'campaign']
    leads.filters = [...(leads.filters ?? []), { name: 'campaign', type: 'ref', ref: 'campaigns', label: 'cr.fields.campaign' }]
    leads.form = [...leads.form, 'region', 'campaign']
    leads.groups = leads.groups.map((g) => (g.title === 'groups.basic' ? { ...g, fields: [...g.fields, 'region', 'campaign'] } : g))
    leads.bulkOwner = undefined
    leads.bulkActions = [BulkTransferAction, BulkExportAction, BulkDeleteAction]
  }
  if (opportunities && !opportunities.fields.some((x) => x.name === 'campaign')) {
    opportunities.fields.push(f('campaign', { type: 'ref', ref: 'campaigns' }))
    opportunities.form = [...opportunities.form, 'campaign']
    opportunities.hiddenColumns = [...(opportunities.hiddenColumns ?? []), 'campaign']
  }
  const events = resources['marketing-events']
  if (events && !events.fields.some((x) => x.name === 'campaign')) {
    events.fields.push(f('campaign', { type: 'ref', ref: 'campaigns', display: 'campaign_name' }))
    events.form = [...events.form, 'campaign']
  }
}
