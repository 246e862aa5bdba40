/**
 * The daily office of the activities module (活动管理): tasks (my tasks, tasks I
 * gave), calendar events (a list here; the month/week/day calendar is a page of
 * its own, pages/CalendarPage.vue) and work plans (items in a card panel).
 */
import { defineAsyncComponent } from 'vue'
import type { FieldDef, ResourceConfig } from './types'

const PlanItemsPanel = defineAsyncComponent(() => import('@/components/activities/PlanItemsPanel.vue'))

const f = (name: string, rest: Omit<FieldDef, 'name'> = {}): FieldDef => ({ name, label: `activities.fields.${name}`, ...rest })
const createdAt: FieldDef = { name: 'created_at', type: 'datetime', sort: 'created_at' }
const updatedAt: FieldDef = { name: 'updated_at', type: 'datetime' }

/** The record a task or an event points at: one id field per kind. */
const links: FieldDef[] = [
  { name: 'customer', type: 'ref', ref: 'customers' },
  { name: 'contact', type: 'ref', ref: 'contacts', label: 'activities.fields.contact' },
  { name: 'lead', type: 'ref', ref: 'leads' },
  { name: 'opportunity', type: 'ref', ref: 'opportunities', label: 'activities.fields.opportunity' },
  { name: 'contract', type: 'ref', ref: 'contracts', label: 'activities.fields.contract' },
  { name: 'complaint', type: 'ref', ref: 'complaints', label: 'activities.fields.complaint' },
]
const linkNames = links.map((l) => l.name)

export const tasks: ResourceConfig = {
  key: 'tasks',
  endpoint: 'tasks',
  title: 'activities.resources.tasks',
  noun: 'activities.nouns.task',
  module: 'activities.task',
  menu: 'activities',
  icon: 'Finished',
  titleField: 'title',
  fields: [
    f('title', { required: true, link: true, width: 220, maxLength: 200 }),
    f('description', { type: 'textarea' }),
    f('assignee', { type: 'user', display: 'assignee_name' }),
    f('assigner', { type: 'user', display: 'assigner_name' }),
    f('due_at', { type: 'datetime', sort: 'due_at' }),
    f('priority', { type: 'enum', choicesOf: 'tasks', display: 'priority_label', sort: 'priority' }),
    { name: 'status', type: 'enum', process: 'task', display: 'status_label' },
    ...links,
    f('started_at', { type: 'datetime' }),
    f('done_at', { type: 'datetime' }),
    f('cancel_reason'),
    createdAt,
    updatedAt,
  ],
  columns: ['title', 'priority', 'due_at', 'status', 'assignee', 'assigner'],
  hiddenColumns: ['customer', 'done_at', 'created_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'task', multiple: true },
    { name: 'priority', type: 'enum', choicesOf: 'tasks', multiple: true },
    { name: 'assignee', type: 'user' },
    { name: 'overdue', type: 'bool', label: 'activities.fields.overdue' },
    { name: 'due_at', type: 'daterange', label: 'activities.fields.due_at' },
  ],
  search: false,
  defaultOrdering: 'due_at',
  groups: [
    { title: 'groups.basic', fields: ['title', 'description', 'priority', 'due_at', 'status', 'assignee', 'assigner'] },
    { title: 'activities.groups.link', fields: linkNames },
    { title: 'activities.groups.progress', fields: ['started_at', 'done_at', 'cancel_reason', 'created_at', 'updated_at'] },
  ],
  form: ['title', 'description', 'assignee', 'due_at', 'priority', ...linkNames],
  defaults: { priority: 'normal' },
  status: {
    field: 'status',
    display: 'status_label',
    types: { open: 'primary', in_progress: 'warning', done: 'success', cancelled: 'info' },
  },
  variants: [
    { key: 'mine', title: 'activities.variants.my_tasks', query: { mine: 'true' }, rowTransitions: ['complete'] },
    { key: 'given', title: 'activities.variants.given_tasks', query: { given: 'true' } },
  ],
  transitions: true,
  history: true,
  export: true,
  create: true,
  edit: true,
  delete: true,
}

export const events: ResourceConfig = {
  key: 'events',
  endpoint: 'events',
  title: 'activities.resources.events',
  noun: 'activities.nouns.event',
  module: 'activities.event',
  menu: 'activities',
  icon: 'Calendar',
  titleField: 'title',
  fields: [
    f('title', { required: true, link: true, width: 200, maxLength: 200 }),
    f('start', { type: 'datetime', sort: 'start', required: true }),
    f('end', { type: 'datetime' }),
    f('all_day', { type: 'bool' }),
    f('location'),
    f('owner', { type: 'user', display: 'owner_name' }),
    f('invitees', { type: 'refs', ref: 'users' }),
    f('remind_minutes', { type: 'number' }),
    f('recurrence', { type: 'enum', choicesOf: 'events' }),
    f('recurrence_interval', { type: 'number' }),
    f('recurrence_until', { type: 'date' }),
    f('recurrence_count', { type: 'number' }),
    f('note', { type: 'textarea' }),
    { name: 'status', type: 'enum', process: 'event', display: 'status_label' },
    ...links,
    createdAt,
  ],
  columns: ['title', 'start', 'end', 'location', 'owner', 'status'],
  hiddenColumns: ['recurrence', 'created_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'event', multiple: true },
    { name: 'owner', type: 'user' },
  ],
  search: false,
  defaultOrdering: '-start',
  groups: [
    { title: 'groups.basic', fields: ['title', 'start', 'end', 'all_day', 'location', 'owner', 'invitees', 'remind_minutes', 'status', 'note'] },
    { title: 'activities.groups.recurrence', fields: ['recurrence', 'recurrence_interval', 'recurrence_until', 'recurrence_count'] },
    { title: 'activities.groups.link', fields: linkNames },
  ],
  form: ['title', 'start', 'end', 'all_day', 'location', 'invitees', 'remind_minutes', 'recurrence', 'recurrence_interval', 'recurrence_until', 'recurrence_count', 'note', ...linkNames],
  defaults: { remind_minutes: 15, recurrence: '', recurrence_interval: 1, all_day: false },
  status: { field: 'status', display: 'status_label', types: { scheduled: 'primary', cancelled: 'info' } },
  pages: [{ key: 'calendar', title: 'activities.calendar.title', icon: 'Calendar' }],
  transitions: true,
  history: true,
  export: true,
  create: true,
  edit: true,
  delete: true,
}

export const plans: ResourceConfig = {
  key: 'plans',
  endpoint: 'plans',
  title: 'activities.resources.plans',
  noun: 'activities.nouns.plan',
  module: 'activities.plan',
  menu: 'activities',
  icon: 'Notebook',
  titleField: 'period',
  titleOf: (r) => `${r.kind_label ?? ''} ${r.period ?? ''} · ${r.owner_name ?? ''}`,
  fields: [
    f('kind', { type: 'enum', choicesOf: 'plans', display: 'kind_label', required: true }),
    f('period', { type: 'date', sort: 'period', required: true, link: true }),
    f('owner', { type: 'user', display: 'owner_name' }),
    { name: 'status', type: 'enum', process: 'plan', display: 'status_label' },
    f('submitted_at', { type: 'datetime' }),
    f('reviewer', { type: 'user', display: 'reviewer_name' }),
    f('reviewed_at', { type: 'datetime' }),
    f('review_comment', { type: 'textarea' }),
    createdAt,
  ],
  columns: ['period', 'kind', 'owner', 'status', 'reviewer', 'reviewed_at'],
  filters: [
    { name: 'status', type: 'enum', process: 'plan', multiple: true },
    { name: 'kind', type: 'enum', choicesOf: 'plans' },
    { name: 'owner', type: 'user' },
    { name: 'period', type: 'daterange', label: 'activities.fields.period' },
  ],
  search: false,
  defaultOrdering: '-period',
  groups: [
    { title: 'groups.basic', fields: ['kind', 'period', 'owner', 'status', 'submitted_at'] },
    { title: 'activities.groups.review', fields: ['reviewer', 'reviewed_at', 'review_comment'] },
  ],
  form: ['kind', 'period'],
  defaults: { kind: 'daily' },
  status: { field: 'status', display: 'status_label', types: { draft: 'info', submitted: 'warning', reviewed: 'success' } },
  variants: [
    { key: 'mine', title: 'activities.variants.my_plans', query: { mine: 'true' } },
    { key: 'to-review', title: 'activities.variants.plans_to_review', query: { to_review: 'true' }, create: false },
  ],
  panels: [{ key: 'items', component: PlanItemsPanel }],
  editable: (r) => r.status === 'draft',
  transitions: true,
  history: true,
  create: true,
  edit: true,
  delete: true,
  export: true,
}

export const activitiesResources: Record<string, ResourceConfig> = { tasks, events, plans }
