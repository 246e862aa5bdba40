/**
 * Customer care (客户关怀: rules, contacts' lunar birthdays; the care calendar is
 * a page of its own, pages/CareCalendarPage.vue) and sales targets (销售目标; the
 * attainment page is pages/TargetsPage.vue). Issue 14.
 */
import { i18n } from '@/i18n'
import type { FieldDef, ResourceConfig } from './types'

const c = (name: string, rest: Omit<FieldDef, 'name'> = {}): FieldDef => ({ name, label: `care.fields.${name}`, ...rest })
const g = (name: string, rest: Omit<FieldDef, 'name'> = {}): FieldDef => ({ name, label: `targets.fields.${name}`, ...rest })
const createdAt: FieldDef = { name: 'created_at', type: 'datetime', sort: 'created_at' }

export const careRules: ResourceConfig = {
  key: 'care-rules',
  endpoint: 'care-rules',
  title: 'care.resources.rules',
  noun: 'care.nouns.rule',
  module: 'care.rule',
  menu: 'customers',
  icon: 'Calendar',
  titleField: 'name',
  fields: [
    c('name', { required: true, link: true, width: 200, maxLength: 100 }),
    c('occasion', { type: 'enum', choicesOf: 'care-rules', display: 'occasion_label', required: true }),
    c('festival', { type: 'enum', choicesOf: 'care-rules', display: 'festival_label' }),
    c('days_before', { type: 'number', sort: 'days_before' }),
    c('active', { type: 'bool' }),
    c('greeting', { type: 'textarea' }),
    createdAt,
  ],
  columns: ['name', 'occasion', 'festival', 'days_before', 'active'],
  hiddenColumns: ['created_at'],
  filters: [
    { name: 'occasion', type: 'enum', choicesOf: 'care-rules', label: 'care.fields.occasion' },
    { name: 'active', type: 'bool', label: 'care.fields.active' },
  ],
  search: false,
  groups: [{ title: 'groups.basic', fields: ['name', 'occasion', 'festival', 'days_before', 'active', 'greeting', 'created_at'] }],
  form: ['name', 'occasion', 'festival', 'days_before', 'active', 'greeting'],
  defaults: { occasion: 'birthday', days_before: 3, active: true },
  history: true,
  pages: [{ key: 'calendar', title: 'care.calendar.title', icon: 'Calendar' }],
  create: true,
  edit: true,
  delete: true,
  export: true,
}

export const contactBirthdays: ResourceConfig = {
  key: 'contact-birthdays',
  endpoint: 'contact-birthdays',
  title: 'care.resources.birthdays',
  noun: 'care.nouns.birthday',
  module: 'care.birthday',
  menu: 'customers',
  icon: 'Notebook',
  titleField: 'contact_name',
  titleOf: (r) => `${r.contact_name ?? ''} · ${i18n.global.t('care.calendar.lunar', { date: r.lunar_label ?? '' })}`,
  fields: [
    c('contact', { type: 'ref', ref: 'contacts', display: 'contact_name', required: true, createOnly: true, link: true }),
    c('customer', { type: 'ref', ref: 'customers', display: 'customer_name' }),
    c('month', { type: 'number', required: true, sort: 'month' }),
    c('day', { type: 'number', required: true }),
    c('leap', { type: 'bool' }),
    c('lunar_label'),
    c('next_date', { type: 'date' }),
    createdAt,
  ],
  columns: ['contact', 'customer', 'lunar_label', 'next_date'],
  hiddenColumns: ['month', 'day', 'leap', 'created_at'],
  search: false,
  groups: [{ title: 'groups.basic', fields: ['contact', 'customer', 'month', 'day', 'leap', 'lunar_label', 'next_date'] }],
  form: ['contact', 'month', 'day', 'leap'],
  defaults: { leap: false },
  history: true,
  create: true,
  edit: true,
  delete: true,
  export: true,
}

export const targets: ResourceConfig = {
  key: 'targets',
  endpoint: 'targets',
  title: 'targets.resources.targets',
  noun: 'targets.nouns.target',
  module: 'targets',
  menu: 'sales',
  icon: 'Aim',
  titleField: 'period',
  titleOf: (r) => `${r.user_name || r.team_name || ''} · ${r.period ?? ''} · ${r.measure_label ?? ''}`,
  fields: [
    g('user', { type: 'user', display: 'user_name' }),
    g('team', { type: 'ref', ref: 'teams', display: 'team_name' }),
    g('period_kind', { type: 'enum', choicesOf: 'targets', display: 'period_kind_label', required: true }),
    g('period_start', { type: 'date', required: true, sort: 'period_start' }),
    g('period', { link: true }),
    g('measure', { type: 'enum', choicesOf: 'targets', display: 'measure_label', required: true }),
    g('amount', { type: 'money', required: true, sort: 'amount' }),
    createdAt,
  ],
  columns: ['period', 'user', 'team', 'measure', 'amount'],
  hiddenColumns: ['period_kind', 'period_start', 'created_at'],
  filters: [
    { name: 'period_kind', type: 'enum', choicesOf: 'targets', label: 'targets.fields.period_kind' },
    { name: 'measure', type: 'enum', choicesOf: 'targets', label: 'targets.fields.measure' },
    { name: 'user', type: 'user', label: 'targets.fields.user' },
  ],
  search: false,
  defaultOrdering: '-period_start',
  groups: [{ title: 'groups.basic', fields: ['user', 'team', 'period_kind', 'period_start', 'period', 'measure', 'amount', 'created_at'] }],
  form: ['user', 'team', 'period_kind', 'period_start', 'measure', 'amount'],
  defaults: { period_kind: 'month', measure: 'won_amount' },
  history: true,
  pages: [{ key: 'report', title: 'targets.report.title', icon: 'TrendCharts' }],
  create: true,
  edit: true,
  delete: true,
  export: true,
}

export const careResources: Record<string, ResourceConfig> = {
  'care-rules': careRules,
  'contact-birthdays': contactBirthdays,
  targets,
}
