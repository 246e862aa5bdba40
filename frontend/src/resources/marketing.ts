/**
 * The marketing module's resources (市场营销): stock items and their ledger, the
 * documents that move stock (receipts, adjustments, requisitions, returns; lines
 * in a card panel), marketing events (figures and expenses in a card panel) and
 * advertising placements.
 */
import { defineAsyncComponent } from 'vue'
import type { FieldDef, ResourceConfig } from './types'

const StockLinesPanel = defineAsyncComponent(() => import('@/components/marketing/StockLinesPanel.vue'))
const EventPanel = defineAsyncComponent(() => import('@/components/marketing/EventPanel.vue'))

const f = (name: string, rest: Omit<FieldDef, 'name'> = {}): FieldDef => ({ name, label: `marketing.fields.${name}`, ...rest })
const createdAt: FieldDef = { name: 'created_at', type: 'datetime', sort: 'created_at' }
const isDraft = (record: Record<string, unknown>) => record.status === 'draft'
const draftTypes = { draft: 'info', confirmed: 'success' }

export const stockItems: ResourceConfig = {
  key: 'stock-items',
  endpoint: 'stock-items',
  title: 'marketing.resources.stock_items',
  noun: 'marketing.nouns.stock_item',
  module: 'marketing.stock_item',
  menu: 'marketing',
  icon: 'Goods',
  titleField: 'name',
  fields: [
    f('code', { required: true, sort: 'code' }),
    f('name', { required: true, sort: 'name', link: true, width: 200 }),
    f('category', { type: 'dict', dict: 'stock_category', display: 'category_label' }),
    f('unit'),
    f('unit_cost', { type: 'money', sort: 'unit_cost' }),
    f('low_stock_threshold', { type: 'number' }),
    f('quantity_on_hand', { type: 'number', sort: 'on_hand' }),
    f('stock_value', { type: 'money', sort: 'stock_value_' }),
    f('active', { type: 'bool' }),
    createdAt,
  ],
  columns: ['code', 'name', 'category', 'unit', 'quantity_on_hand', 'unit_cost', 'stock_value', 'low_stock_threshold', 'active'],
  hiddenColumns: ['created_at'],
  filters: [
    { name: 'category', type: 'dict', dict: 'stock_category' },
    { name: 'active', type: 'bool' },
  ],
  search: true,
  defaultOrdering: 'code',
  groups: [{ title: 'groups.basic', fields: ['code', 'name', 'category', 'unit', 'unit_cost', 'low_stock_threshold', 'quantity_on_hand', 'stock_value', 'active', 'created_at'] }],
  form: ['code', 'name', 'category', 'unit', 'unit_cost', 'low_stock_threshold', 'active'],
  defaults: { active: true, unit: '个' },
  related: [{ resource: 'stock-movements', param: 'item', columns: ['at', 'quantity', 'unit_cost', 'document_kind', 'document_number'] }],
  history: true,
  export: true,
  importable: true,
  create: true,
  edit: true,
  delete: true,
}

export const stockMovements: ResourceConfig = {
  key: 'stock-movements',
  endpoint: 'stock-movements',
  title: 'marketing.resources.stock_movements',
  noun: 'marketing.nouns.stock_movement',
  module: 'marketing.stock_movement',
  menu: 'marketing',
  icon: 'Files',
  titleField: 'document_number',
  titleOf: (r) => `${r.document_number ?? ''} · ${r.item_name ?? ''}`,
  fields: [
    f('at', { type: 'datetime', sort: 'at', link: true }),
    f('item', { type: 'ref', ref: 'stock-items', display: 'item_name' }),
    f('quantity', { type: 'number', sort: 'quantity' }),
    f('unit_cost', { type: 'money' }),
    f('document_kind', { type: 'enum', choicesOf: 'stock-movements', display: 'document_kind_label' }),
    f('document_number'),
    f('actor', { type: 'user', display: 'actor_name' }),
  ],
  columns: ['at', 'item', 'quantity', 'unit_cost', 'document_kind', 'document_number', 'actor'],
  filters: [
    { name: 'item', type: 'ref', ref: 'stock-items' },
    { name: 'document_kind', type: 'enum', choicesOf: 'stock-movements', multiple: true },
    { name: 'at', type: 'daterange' },
  ],
  defaultOrdering: '-at',
  groups: [{ title: 'groups.basic', fields: ['at', 'item', 'quantity', 'unit_cost', 'document_kind', 'document_number', 'actor'] }],
  form: [],
  export: true,
  create: false,
  edit: false,
  delete: false,
}

function document(
  key: 'stock-receipts' | 'stock-adjustments' | 'stock-returns',
  module: string,
  process: string,
  extra: FieldDef[],
  icon: string,
): ResourceConfig {
  const names = extra.map((x) => x.name)
  return {
    key,
    endpoint: key,
    title: `marketing.resources.${key.replace('-', '_')}`,
    noun: `marketing.nouns.${key.replace('-', '_').replace(/s$/, '')}`,
    module,
    menu: 'marketing',
    icon,
    titleField: 'number',
    fields: [
      f('number', { sort: 'number', link: true }),
      ...extra,
      f('note', { type: 'textarea' }),
      { name: 'status', type: 'enum', process, display: 'status_label' },
      f('confirmed_at', { type: 'datetime' }),
      f('confirmed_by', { type: 'user', display: 'confirmed_by_name' }),
      f('created_by', { type: 'user', display: 'created_by_name' }),
      createdAt,
    ],
    columns: ['number', ...names, 'status', 'created_by', 'created_at'],
    filters: [{ name: 'status', type: 'enum', process, multiple: true }, { name: 'created_at', type: 'daterange' }],
    defaultOrdering: '-id',
    groups: [
      { title: 'groups.basic', fields: ['number', ...names, 'note'] },
      { title: 'groups.workflow', fields: ['status', 'confirmed_at', 'confirmed_by', 'created_by', 'created_at'] },
    ],
    form: [...names.filter((n) => n !== 'requisition_number'), 'note'],
    status: { field: 'status', display: 'status_label', types: draftTypes },
    transitions: true,
    history: true,
    panels: [{ key: 'lines', component: StockLinesPanel, after: 'groups.basic' }],
    // receipts and returns print as A4 forms to sign (adjustments are internal)
    printable: key !== 'stock-adjustments',
    editable: isDraft,
    export: true,
    create: true,
    edit: true,
    delete: true,
  }
}

export const stockReceipts = document('stock-receipts', 'marketing.stock_receipt', 'stock_receipt', [f('supplier')], 'Document')
export const stockAdjustments = document(
  'stock-adjustments',
  'marketing.stock_adjustment',
  'stock_adjustment',
  [f('reason', { required: true })],
  'Coin',
)
export const stockReturns = document(
  'stock-returns',
  'marketing.stock_return',
  'stock_return',
  [f('requisition', { type: 'ref', ref: 'requisitions', display: 'requisition_number', required: true, createOnly: true })],
  'Document',
)

export const requisitions: ResourceConfig = {
  key: 'requisitions',
  endpoint: 'requisitions',
  title: 'marketing.resources.requisitions',
  noun: 'marketing.nouns.requisition',
  module: 'marketing.requisition',
  menu: 'marketing',
  icon: 'Tickets',
  titleField: 'number',
  titleOf: (r) => `${r.number ?? ''} · ${r.purpose ?? ''}`,
  fields: [
    f('number', { sort: 'number', link: true }),
    f('purpose', { required: true, width: 200 }),
    f('marketing_event', { type: 'ref', ref: 'marketing-events', display: 'marketing_event_name' }),
    f('campaign', { type: 'ref', ref: 'campaigns', display: 'campaign_name' }),
    f('requester', { type: 'user', display: 'requester_name' }),
    f('total_cost', { type: 'money' }),
    f('note', { type: 'textarea' }),
    { name: 'status', type: 'enum', process: 'requisition', display: 'status_label' },
    f('submitted_at', { type: 'datetime' }),
    f('approved_by', { type: 'user', display: 'approved_by_name' }),
    f('approved_at', { type: 'datetime' }),
    f('issued_by', { type: 'user', display: 'issued_by_name' }),
    f('issued_at', { type: 'datetime' }),
    f('return_reason'),
    f('cancel_reason'),
    createdAt,
  ],
  columns: ['number', 'purpose', 'marketing_event', 'requester', 'total_cost', 'status', 'created_at'],
  hiddenColumns: ['campaign', 'approved_by', 'issued_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'requisition', multiple: true },
    { name: 'requester', type: 'user' },
    { name: 'marketing_event', type: 'ref', ref: 'marketing-events' },
    { name: 'campaign', type: 'ref', ref: 'campaigns' },
    { name: 'created_at', type: 'daterange' },
  ],
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['number', 'purpose', 'marketing_event', 'campaign', 'requester', 'total_cost', 'note'] },
    { title: 'groups.workflow', fields: ['status', 'submitted_at', 'approved_by', 'approved_at', 'issued_by', 'issued_at', 'return_reason', 'cancel_reason', 'created_at'] },
  ],
  form: ['purpose', 'marketing_event', 'campaign', 'note'],
  status: {
    field: 'status',
    display: 'status_label',
    types: { draft: 'info', submitted: 'warning', approved: 'primary', issued: 'success', cancelled: 'danger' },
  },
  transitions: true,
  history: true,
  panels: [{ key: 'lines', component: StockLinesPanel, after: 'groups.basic' }],
  related: [{ resource: 'stock-returns', param: 'requisition', columns: ['number', 'status', 'created_at'] }],
  // the A4 requisition form with its lines and signature blocks (申请人 / 审批人 / 库管 / 领用人)
  printable: true,
  cardActions: [
    { label: 'marketing.actions.new_return', create: 'stock-returns', preset: { requisition: '$id' }, permission: 'marketing.stock_return.create', testid: 'new-return' },
  ],
  editable: isDraft,
  export: true,
  create: true,
  edit: true,
  delete: true,
}

export const marketingEvents: ResourceConfig = {
  key: 'marketing-events',
  endpoint: 'marketing-events',
  title: 'marketing.resources.marketing_events',
  noun: 'marketing.nouns.marketing_event',
  module: 'marketing.event',
  menu: 'marketing',
  icon: 'Calendar',
  titleField: 'name',
  fields: [
    f('name', { required: true, sort: 'name', link: true, width: 200 }),
    f('type', { type: 'enum', choicesOf: 'marketing-events', display: 'type_label' }),
    f('starts_on', { type: 'date', sort: 'starts_on' }),
    f('ends_on', { type: 'date' }),
    f('place'),
    f('budget', { type: 'money', sort: 'budget' }),
    { name: 'owner', type: 'user', display: 'owner_name' },
    f('description', { type: 'textarea' }),
    { name: 'status', type: 'enum', process: 'marketing_event', display: 'status_label' },
    f('cancel_reason'),
    createdAt,
  ],
  columns: ['name', 'type', 'starts_on', 'ends_on', 'place', 'budget', 'status', 'owner'],
  filters: [
    { name: 'status', type: 'enum', process: 'marketing_event', multiple: true },
    { name: 'type', type: 'enum', choicesOf: 'marketing-events', multiple: true },
    { name: 'owner', type: 'user' },
    { name: 'starts_on', type: 'daterange' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [
    { title: 'groups.basic', fields: ['name', 'type', 'starts_on', 'ends_on', 'place', 'budget', 'owner', 'description'] },
    { title: 'groups.workflow', fields: ['status', 'cancel_reason', 'created_at'] },
  ],
  form: ['name', 'type', 'starts_on', 'ends_on', 'place', 'budget', 'owner', 'description'],
  defaults: { type: 'exhibition' },
  status: { field: 'status', display: 'status_label', types: { planned: 'info', ongoing: 'primary', finished: 'success', cancelled: 'danger' } },
  transitions: true,
  history: true,
  panels: [{ key: 'figures', component: EventPanel, after: 'groups.basic' }],
  related: [
    { resource: 'requisitions', param: 'marketing_event', columns: ['number', 'purpose', 'total_cost', 'status'] },
    { resource: 'leads', param: 'marketing_event', columns: ['company_name', 'contact_name', 'status', 'created_at'] },
  ],
  cardActions: [
    { label: 'marketing.actions.request_goods', create: 'requisitions', preset: { marketing_event: '$id' }, permission: 'marketing.requisition.create', testid: 'request-goods' },
  ],
  export: true,
  bulkOwner: 'owner',
  create: true,
  edit: true,
  delete: true,
}

export const adPlacements: ResourceConfig = {
  key: 'ad-placements',
  endpoint: 'ad-placements',
  title: 'marketing.resources.ad_placements',
  noun: 'marketing.nouns.ad_placement',
  module: 'marketing.ad_placement',
  menu: 'marketing',
  icon: 'TrendCharts',
  titleField: 'name',
  fields: [
    f('name', { required: true, sort: 'name', link: true, width: 200 }),
    f('channel', { type: 'dict', dict: 'ad_channel', display: 'channel_label' }),
    f('starts_on', { type: 'date', sort: 'starts_on' }),
    f('ends_on', { type: 'date' }),
    f('cost', { type: 'money', sort: 'cost' }),
    f('lead_count', { type: 'number' }),
    f('note', { type: 'textarea' }),
    createdAt,
  ],
  columns: ['name', 'channel', 'starts_on', 'ends_on', 'cost', 'lead_count'],
  filters: [
    { name: 'channel', type: 'dict', dict: 'ad_channel' },
    { name: 'starts_on', type: 'daterange' },
  ],
  search: true,
  defaultOrdering: '-id',
  groups: [{ title: 'groups.basic', fields: ['name', 'channel', 'starts_on', 'ends_on', 'cost', 'lead_count', 'note', 'created_at'] }],
  form: ['name', 'channel', 'starts_on', 'ends_on', 'cost', 'note'],
  related: [{ resource: 'leads', param: 'ad_placement', columns: ['company_name', 'contact_name', 'status', 'created_at'] }],
  history: true,
  export: true,
  create: true,
  edit: true,
  delete: true,
}

/** In menu order. */
export const marketingResources: Record<string, ResourceConfig> = {
  'marketing-events': marketingEvents,
  requisitions,
  'stock-items': stockItems,
  'stock-receipts': stockReceipts,
  'stock-adjustments': stockAdjustments,
  'stock-returns': stockReturns,
  'stock-movements': stockMovements,
  'ad-placements': adPlacements,
}
