/**
 * The sales module's resources (销售机会): products, opportunities (with their
 * requirements and solutions), quotes (versions and lines), contracts (lines,
 * payment plan) and payments (confirm, reverse). The kanban board is a page of
 * its own (pages/OpportunityBoard.vue); lines and the payment plan are card
 * panels (components/sales/).
 */
import { defineAsyncComponent } from 'vue'
import { api } from '@/api/collections'
import type { FieldDef, ResourceConfig } from './types'


const LinesPanel = defineAsyncComponent(() => import('@/components/sales/LinesPanel.vue'))
const InstallmentsPanel = defineAsyncComponent(() => import('@/components/sales/InstallmentsPanel.vue'))
const StageBar = defineAsyncComponent(() => import('@/components/sales/StageBar.vue'))

const owner: FieldDef = { name: 'owner', type: 'user', display: 'owner_name' }
const createdAt: FieldDef = { name: 'created_at', type: 'datetime', sort: 'created_at' }
const updatedAt: FieldDef = { name: 'updated_at', type: 'datetime' }


const isDraft = (record: Record<string, unknown>) => record.status === 'draft'

export const products: ResourceConfig = {
  key: 'products',
  endpoint: 'products',
  title: 'resources.products',
  noun: 'nouns.product',
  module: 'sales.product',
  menu: 'sales',
  icon: 'Goods',
  titleField: 'name',
  fields: [
    { name: 'code', required: true, sort: 'code' },
    { name: 'name', required: true, sort: 'name', link: true, width: 200 },
    { name: 'unit' },
    { name: 'price', type: 'money', required: true, sort: 'price' },
    { name: 'active', type: 'bool' },
    createdAt,
  ],
  columns: ['code', 'name', 'unit', 'price', 'active'],
  hiddenColumns: ['created_at'],
  filters: [{ name: 'active', type: 'bool' }],
  search: true,
  defaultOrdering: 'code',
  groups: [{ title: 'groups.basic', fields: ['code', 'name', 'unit', 'price', 'active', 'created_at'] }],
  form: ['code', 'name', 'unit', 'price', 'active'],
  defaults: { active: true, unit: '套' },
  history: true,
  export: true,
  create: true,
  edit: true,
  delete: true,
}

export const opportunities: ResourceConfig = {
  key: 'opportunities',
  endpoint: 'opportunities',
  title: 'resources.opportunities',
  noun: 'nouns.opportunity',
  module: 'sales.opportunity',
  menu: 'sales',
  icon: 'TrendCharts',
  titleField: 'name',
  fields: [
    { name: 'name', required: true, sort: 'name', link: true, width: 200 },
    { name: 'customer', type: 'ref', ref: 'customers', display: 'customer_name', required: true },
    { name: 'contact', type: 'ref', ref: 'contacts', display: 'contact_name', filterBy: { field: 'customer', param: 'customer' } },
    { name: 'amount', type: 'money', sort: 'amount' },
    { name: 'expected_close_date', type: 'date', sort: 'expected_close_date' },
    owner,
    { name: 'source', type: 'dict', dict: 'source', display: 'source_label' },
    { name: 'status', label: 'fields.stage', type: 'enum', process: 'opportunity', display: 'status_label' },
    { name: 'probability', type: 'number' },
    { name: 'weighted_amount', type: 'money' },
    { name: 'loss_reason', type: 'dict', dict: 'loss_reason', display: 'loss_reason_label' },
    { name: 'loss_note', type: 'textarea' },
    { name: 'lead', type: 'ref', ref: 'leads' },
    { name: 'closed_on', type: 'date' },
    { name: 'stage_changed_at', type: 'datetime' },
    createdAt,
    updatedAt,
  ],
  columns: ['name', 'customer', 'amount', 'status', 'probability', 'expected_close_date', 'owner', 'created_at'],
  hiddenColumns: ['contact', 'source', 'weighted_amount', 'stage_changed_at', 'updated_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'opportunity', multiple: true, label: 'fields.stage' },
    { name: 'owner', type: 'user' },
    { name: 'customer', type: 'ref', ref: 'customers' },
    { name: 'source', type: 'dict', dict: 'source' },
    { name: 'created_at', type: 'daterange' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['name', 'customer', 'contact', 'source', 'lead'] },
    { title: 'groups.deal', fields: ['amount', 'probability', 'weighted_amount', 'expected_close_date', 'status', 'stage_changed_at', 'closed_on', 'loss_reason', 'loss_note'] },
    { title: 'groups.ownership', fields: ['owner', 'created_at', 'updated_at'] },
  ],
  form: ['name', 'customer', 'contact', 'amount', 'expected_close_date', 'source', 'owner'],
  status: {
    field: 'status',
    display: 'status_label',
    types: { initial: 'info', needs_defined: 'primary', proposal: 'primary', negotiation: 'warning', won: 'success', lost: 'danger' },
  },
  transitions: true,
  history: true,
  timeline: 'opportunity',
  panels: [{ key: 'stage', component: StageBar, top: true }],
  related: [
    { resource: 'requirements', param: 'opportunity', columns: ['description', 'priority', 'created_by', 'created_at'] },
    { resource: 'solutions', param: 'opportunity', columns: ['title', 'requirement', 'created_at'] },
    { resource: 'quotes', param: 'opportunity', columns: ['version', 'status', 'total', 'is_latest', 'created_at'], title: 'sales.quote_versions' },
    { resource: 'contracts', param: 'opportunity', columns: ['number', 'title', 'amount', 'status'] },
  ],
  cardActions: [
    { label: 'actions.add_requirement', create: 'requirements', preset: { opportunity: '$id' }, permission: 'sales.requirement.create', testid: 'add-requirement' },
    { label: 'actions.add_solution', create: 'solutions', preset: { opportunity: '$id' }, permission: 'sales.solution.create', testid: 'add-solution' },
    { label: 'actions.new_quote', create: 'quotes', preset: { opportunity: '$id' }, permission: 'sales.quote.create', testid: 'new-quote', open: true },
    { label: 'actions.new_contract', create: 'contracts', preset: { opportunity: '$id', customer: '$customer', title: '$name' }, permission: 'sales.contract.create', testid: 'new-contract', open: true },
  ],
  export: true,
  bulkOwner: 'owner',
  create: true,
  edit: true,
  delete: true,
  pages: [{ key: 'board', title: 'sales.board.title', icon: 'Grid' }],
}

export const requirements: ResourceConfig = {
  key: 'requirements',
  endpoint: 'requirements',
  title: 'resources.requirements',
  noun: 'nouns.requirement',
  module: 'sales.requirement',
  titleField: 'description',
  fields: [
    { name: 'opportunity', type: 'ref', ref: 'opportunities', required: true },
    { name: 'description', type: 'textarea', required: true, link: true },
    { name: 'priority', type: 'enum', choicesOf: 'requirements' },
    { name: 'created_by', type: 'user', display: 'created_by_name' },
    createdAt,
  ],
  columns: ['description', 'priority', 'opportunity', 'created_by', 'created_at'],
  filters: [
    { name: 'opportunity', type: 'ref', ref: 'opportunities' },
    { name: 'priority', type: 'enum', choicesOf: 'requirements' },
  ],
  defaultOrdering: '-id',
  groups: [{ title: 'groups.basic', fields: ['opportunity', 'description', 'priority', 'created_by', 'created_at'] }],
  form: ['opportunity', 'description', 'priority'],
  defaults: { priority: 'medium' },
  history: true,
  related: [{ resource: 'solutions', param: 'requirement', columns: ['title', 'created_at'] }],
  create: true,
  edit: true,
  delete: true,
}

export const solutions: ResourceConfig = {
  key: 'solutions',
  endpoint: 'solutions',
  title: 'resources.solutions',
  noun: 'nouns.solution',
  module: 'sales.solution',
  titleField: 'title',
  fields: [
    { name: 'opportunity', type: 'ref', ref: 'opportunities', required: true },
    { name: 'requirement', type: 'ref', ref: 'requirements' },
    { name: 'title', label: 'fields.solution_title', required: true, link: true },
    { name: 'description', type: 'textarea' },
    { name: 'created_by', type: 'user' },
    createdAt,
  ],
  columns: ['title', 'opportunity', 'requirement', 'created_at'],
  filters: [{ name: 'opportunity', type: 'ref', ref: 'opportunities' }],
  defaultOrdering: '-id',
  groups: [{ title: 'groups.basic', fields: ['title', 'opportunity', 'requirement', 'description', 'created_at'] }],
  form: ['opportunity', 'requirement', 'title', 'description'],
  history: true,
  create: true,
  edit: true,
  delete: true,
}

/** The latest version of a quote's opportunity (after `revise` the card opens it). */
async function latestQuotePath(name: string, record: Record<string, unknown>): Promise<string | null> {
  if (name !== 'revise') return null
  const page = await api.list('quotes', { opportunity: record.opportunity as number, is_latest: 'true' })
  const latest = page.results[0]
  return latest && latest.id !== record.id ? `/quotes/${latest.id}` : null
}

export const quotes: ResourceConfig = {
  key: 'quotes',
  endpoint: 'quotes',
  title: 'resources.quotes',
  noun: 'nouns.quote',
  module: 'sales.quote',
  menu: 'sales',
  icon: 'Tickets',
  titleField: 'opportunity_name',
  titleOf: (r) => `${r.opportunity_name ?? ''} · v${r.version ?? ''}`,
  fields: [
    { name: 'opportunity', type: 'ref', ref: 'opportunities', display: 'opportunity_name', required: true, createOnly: true, link: true, width: 200 },
    { name: 'customer', type: 'ref', ref: 'customers', display: 'customer_name', width: 180 },
    { name: 'version', label: 'fields.quote_version', type: 'number' },
    { name: 'status', type: 'enum', process: 'quote', display: 'status_label' },
    { name: 'subtotal', type: 'money' },
    { name: 'total', type: 'money', sort: 'total' },
    { name: 'is_latest', type: 'bool' },
    { name: 'revised_from', type: 'ref', ref: 'quotes' },
    { name: 'valid_until', type: 'date' },
    { name: 'note', type: 'textarea', label: 'fields.comment' },
    { name: 'return_reason' },
    { name: 'reject_reason' },
    { name: 'created_by', type: 'user', display: 'created_by_name' },
    { name: 'submitted_at', type: 'datetime' },
    { name: 'approved_by', type: 'user', display: 'approved_by_name' },
    { name: 'approved_at', type: 'datetime' },
    { name: 'sent_at', type: 'datetime' },
    createdAt,
    updatedAt,
  ],
  columns: ['opportunity', 'customer', 'version', 'status', 'total', 'is_latest', 'valid_until', 'created_by', 'created_at'],
  hiddenColumns: ['subtotal', 'approved_by', 'sent_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'quote', multiple: true },
    { name: 'opportunity', type: 'ref', ref: 'opportunities' },
    { name: 'is_latest', type: 'bool' },
  ],
  search: false,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['opportunity', 'version', 'is_latest', 'revised_from', 'valid_until', 'note'] },
    { title: 'groups.workflow', fields: ['status', 'created_by', 'submitted_at', 'approved_by', 'approved_at', 'sent_at', 'return_reason', 'reject_reason', 'created_at', 'updated_at'] },
  ],
  form: ['opportunity', 'valid_until', 'note'],
  status: {
    field: 'status',
    display: 'status_label',
    types: { draft: 'info', submitted: 'warning', approved: 'success', sent: 'primary', accepted: 'success', rejected: 'danger' },
  },
  transitions: true,
  history: true,
  panels: [{ key: 'lines', component: LinesPanel, after: 'groups.basic' }],
  related: [
    { resource: 'quotes', param: 'opportunity', valueFrom: 'opportunity', columns: ['version', 'status', 'total', 'is_latest', 'created_at'], title: 'sales.quote_versions' },
  ],
  cardActions: [
    // Customer, name, amount and (server side) the lines come from the quote.
    { label: 'actions.new_contract', create: 'contracts', preset: { quote: '$id', opportunity: '$opportunity', customer: '$customer', title: '$opportunity_name', amount: '$total' }, permission: 'sales.contract.create', testid: 'quote-new-contract', open: true },
  ],
  printable: true,
  variants: [{ key: 'awaiting', title: 'salesDocs.awaiting_quotes', query: { awaiting_me: 'true' }, create: false }],
  lock: 'row_version',
  editable: isDraft,
  afterTransition: latestQuotePath,
  export: true,
  create: true,
  edit: true,
  delete: true,
}

export const contracts: ResourceConfig = {
  key: 'contracts',
  endpoint: 'contracts',
  title: 'resources.contracts',
  noun: 'nouns.contract',
  module: 'sales.contract',
  menu: 'sales',
  icon: 'Document',
  titleField: 'number',
  titleOf: (r) => [r.number, r.title].filter(Boolean).join(' · '),
  fields: [
    { name: 'number', sort: 'number', link: true, width: 130 },
    { name: 'title', label: 'fields.contract_title', width: 180 },
    { name: 'customer', type: 'ref', ref: 'customers', display: 'customer_name' },
    { name: 'opportunity', type: 'ref', ref: 'opportunities' },
    { name: 'quote', type: 'ref', ref: 'quotes' },
    owner,
    { name: 'amount', type: 'money', sort: 'amount' },
    { name: 'collected_amount', type: 'money' },
    { name: 'outstanding_amount', type: 'money' },
    { name: 'start_date', type: 'date' },
    { name: 'end_date', type: 'date', sort: 'end_date' },
    { name: 'status', type: 'enum', process: 'contract', display: 'status_label' },
    { name: 'reject_reason' },
    { name: 'terminate_reason' },
    { name: 'submitted_at', type: 'datetime' },
    { name: 'approved_by', type: 'user' },
    { name: 'approved_at', type: 'datetime' },
    { name: 'approval_permission' },
    { name: 'signed_on', type: 'date' },
    { name: 'closed_at', type: 'datetime' },
    { name: 'created_by', type: 'user' },
    createdAt,
    updatedAt,
  ],
  columns: ['number', 'title', 'customer', 'amount', 'collected_amount', 'status', 'end_date', 'owner'],
  hiddenColumns: ['outstanding_amount', 'start_date', 'signed_on', 'created_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'contract', multiple: true },
    { name: 'customer', type: 'ref', ref: 'customers' },
    { name: 'owner', type: 'user' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['number', 'title', 'customer', 'opportunity', 'quote', 'start_date', 'end_date'] },
    { title: 'groups.amounts', fields: ['amount', 'collected_amount', 'outstanding_amount'] },
    { title: 'groups.workflow', fields: ['status', 'owner', 'submitted_at', 'approved_by', 'approved_at', 'signed_on', 'closed_at', 'reject_reason', 'terminate_reason', 'created_at'] },
  ],
  form: ['customer', 'opportunity', 'quote', 'title', 'amount', 'start_date', 'end_date', 'owner'],
  status: {
    field: 'status',
    display: 'status_label',
    types: { draft: 'info', pending_approval: 'warning', approved: 'primary', active: 'success', completed: 'success', terminated: 'danger' },
  },
  transitions: true,
  history: true,
  timeline: 'contract',
  panels: [
    { key: 'lines', component: LinesPanel, after: 'groups.amounts' },
    { key: 'installments', component: InstallmentsPanel, after: 'groups.amounts' },
  ],
  related: [{ resource: 'payments', param: 'contract', columns: ['paid_at', 'installment_sequence', 'amount', 'method', 'status', 'reference'] }],
  printable: true,
  variants: [{ key: 'awaiting', title: 'salesDocs.awaiting_contracts', query: { awaiting_me: 'true' }, create: false }],
  lock: 'version',
  editable: isDraft,
  export: true,
  bulkOwner: 'owner',
  create: true,
  edit: true,
  delete: true,
}

export const payments: ResourceConfig = {
  key: 'payments',
  endpoint: 'payments',
  title: 'resources.payments',
  noun: 'nouns.payment',
  module: 'sales.payment',
  menu: 'sales',
  icon: 'Money',
  titleField: 'contract_number',
  titleOf: (r) => `${r.contract_number ?? ''} · ¥${Number(r.amount ?? 0).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
  fields: [
    { name: 'paid_at', type: 'date', sort: 'paid_at', link: true },
    { name: 'contract', type: 'ref', ref: 'contracts', display: 'contract_number' },
    { name: 'installment_sequence', type: 'number' },
    { name: 'amount', type: 'money', sort: 'amount', required: true },
    { name: 'method', type: 'enum', choicesOf: 'payments' },
    { name: 'reference' },
    { name: 'note', label: 'fields.comment' },
    { name: 'status', type: 'enum', process: 'payment', display: 'status_label' },
    { name: 'reversal_of', type: 'ref', ref: 'payments' },
    { name: 'reversed_by', type: 'ref', ref: 'payments' },
    { name: 'reverse_reason' },
    { name: 'confirmed_at', type: 'datetime' },
    { name: 'confirmed_by', type: 'user' },
    { name: 'created_by', type: 'user' },
    createdAt,
  ],
  columns: ['paid_at', 'contract', 'installment_sequence', 'amount', 'method', 'status', 'reference'],
  hiddenColumns: ['reverse_reason', 'confirmed_at', 'created_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'payment', multiple: true },
    { name: 'contract', type: 'ref', ref: 'contracts' },
    { name: 'method', type: 'enum', choicesOf: 'payments' },
  ],
  search: false,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['contract', 'installment_sequence', 'amount', 'paid_at', 'method', 'reference', 'note'] },
    { title: 'groups.workflow', fields: ['status', 'confirmed_at', 'confirmed_by', 'reversal_of', 'reversed_by', 'reverse_reason', 'created_by', 'created_at'] },
  ],
  // Payments are recorded against an installment from the contract's payment plan.
  form: ['amount', 'paid_at', 'method', 'reference', 'note'],
  defaults: { method: 'bank_transfer' },
  status: {
    field: 'status',
    display: 'status_label',
    types: { draft: 'info', confirmed: 'success', reversed: 'danger' },
  },
  transitions: true,
  history: true,
  editable: isDraft,
  export: true,
  create: false,
  edit: true,
  delete: true,
}

/** In menu order. */
export const salesResources: Record<string, ResourceConfig> = {
  opportunities,
  quotes,
  contracts,
  payments,
  products,
  requirements,
  solutions,
}
