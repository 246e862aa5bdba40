/**
 * What a resource page needs to know about a collection of the API. One
 * Browse page, one Card page and one form render every resource from this;
 * adding a module's pages is one entry in resources/index.ts.
 */
import type { Component } from 'vue'
import type { Collection } from '@/api/collections'
import type { TimelineRecord } from '@/api/timeline'

export type FieldType =
  | 'text'
  | 'textarea'
  | 'number'
  | 'money'
  | 'date'
  | 'datetime'
  | 'bool'
  | 'enum' // fixed choices: the states of `process` (from the API), or `options` labelled by the i18n group `enums.<enum>`
  | 'dict' // a tenant dictionary item (DictionaryItem of kind `dict`)
  | 'user' // a user of the company
  | 'ref' // a record of another resource (`ref` = resource key)
  | 'refs' // several records of another resource
  | 'codes' // permission codes (roles)
  | 'tags' // free text tags (shown as chips; typed or picked in the form)
  | 'password'
  | 'countdown' // SLA countdown of the record's running clock (`clocks`), read-only

export interface FieldDef {
  name: string
  type?: FieldType
  /** i18n key of the label; default `fields.<name>` */
  label?: string
  /** the label itself, already translated (e.g. a transition input described by the API) */
  text?: string
  /** the read-only API field that holds the display text (e.g. owner_name) */
  display?: string
  enum?: string
  options?: string[]
  /** several of the fixed choices (a list value) */
  multiple?: boolean
  /** the field is this process's state: options and labels from the API (src/api/processes.ts) */
  process?: string
  /** fixed choices with their (translated) labels, e.g. from the API */
  choices?: Array<{ value: string; label: string }>
  /** options and labels are the API's choices of this collection's field of the same name (src/api/choices.ts) */
  choicesOf?: Collection
  /** the longest text the API takes */
  maxLength?: number
  dict?: string
  ref?: string
  /** server `ordering` name when the column is sortable */
  sort?: string
  width?: number
  required?: boolean
  /** shown in the form only when creating */
  createOnly?: boolean
  /** shown in the form only while another field holds one of these values (e.g. the
   * teams of an announcement whose audience is "teams"); hidden, it is not sent */
  shownWhen?: { field: string; in: unknown[] }
  /** link the value to the record's card (browse) */
  link?: boolean
  /** countdown: the record's clocks in order; the first running one is shown */
  clocks?: SlaClock[]
  /** ref: the choices narrowed by another field of the form (e.g. a contact by its customer):
   * `{ field: 'customer', param: 'customer' }` lists `?customer=<form.customer>` */
  filterBy?: { field: string; param: string }
}

/** An SLA clock of a record: its deadline field and the field set when it stops. */
export interface SlaClock {
  due: string
  done: string
  /** i18n key naming the clock (e.g. `sla.acknowledge`) */
  label?: string
}

export interface FilterDef {
  name: string
  type: 'enum' | 'dict' | 'user' | 'ref' | 'bool' | 'daterange' | 'text'
  enum?: string
  options?: string[]
  /** the states of this process (from the API) are the choices */
  process?: string
  /** the API's choices of this collection's field of the filter's name (src/api/choices.ts) */
  choicesOf?: Collection
  dict?: string
  ref?: string
  multiple?: boolean
  label?: string
}

export interface GroupDef {
  /** i18n key of the group title */
  title: string
  fields: string[]
}

export interface RelatedDef {
  /** the other resource's key */
  resource: string
  /** the filter naming this record, e.g. `customer` */
  param: string
  /** record field used as the filter value (default `id`) */
  valueFrom?: string
  columns: string[]
  /** i18n key of the title (default the resource title) */
  title?: string
}

/** An input of a transition's dialog, built from the API's description of the step's inputs. */
export type InputDef = FieldDef

export interface CardAction {
  /** i18n key of the button */
  label: string
  /** create a record of this resource, preset from the card */
  create: string
  /** preset values: `$id` is the card's id, `$field` a field of the card */
  preset: Record<string, string | number>
  permission?: string
  testid?: string
  /** open the new record's card after it is created */
  open?: boolean
}

export interface VariantDef {
  key: string
  /** i18n key of the title */
  title: string
  query: Record<string, string>
  /** transitions offered per row (e.g. claim) */
  rowTransitions?: string[]
  create?: boolean
}

/** A hand-made page of a resource at `/<key>/<page.key>` (its route lives in router/index.ts). */
export interface PageLink {
  key: string
  /** i18n key of the title */
  title: string
  icon?: string
}

/** A hand-made panel of the card (e.g. quote lines); it emits `changed` after a write. */
export interface PanelDef {
  key: string
  component: Component
  /** shown only when this returns true for the record */
  when?: (record: Record<string, unknown>) => boolean
  /** placed after the field group with this title (default: after all groups) */
  after?: string
  /** placed above the transitions and the field groups (e.g. the opportunity's stage bar) */
  top?: boolean
}

export interface ResourceConfig {
  key: string
  /** the API collection, e.g. `leads` (checked against the schema: src/api/collections.ts) */
  endpoint: Collection
  /** i18n key of the plural title */
  title: string
  /** i18n key of the singular noun */
  noun: string
  /** permission module: `<module>.view|create|edit|delete` */
  module: string
  /** menu group key (i18n `menu.<group>`); absent = not in the menu */
  menu?: string
  icon?: string
  fields: FieldDef[]
  /** field used as the card title */
  titleField: string
  /** the record's title when one field is not enough (e.g. a quote: opportunity and version) */
  titleOf?: (record: Record<string, unknown>) => string
  columns: string[]
  /** columns hidden until chosen in the column chooser */
  hiddenColumns?: string[]
  filters?: FilterDef[]
  search?: boolean
  defaultOrdering?: string
  groups: GroupDef[]
  /** fields of the create/edit form */
  form: string[]
  /** defaults for a new record */
  defaults?: Record<string, unknown>
  status?: { field: string; display: string; types?: Record<string, string> }
  transitions?: boolean
  history?: boolean
  /** activities shown in the timeline: the activities filter naming this record */
  timelineActivities?: string
  /** the record's kind for `GET /timeline/` (activities, follow-ups, tasks, events,
   * transitions, changes, attachments in one list); replaces history + timelineActivities */
  timeline?: TimelineRecord
  related?: RelatedDef[]
  cardActions?: CardAction[]
  export?: boolean
  /** the import wizard takes this resource (its key is the import resource name) */
  importable?: boolean
  /** the field bulk reassign writes (via PATCH per row) */
  bulkOwner?: string
  /** hand-made actions on the list's selection or current filter (props: config, selection,
   * query, count; they emit `done` after a write) */
  bulkActions?: Component[]
  create?: boolean
  edit?: boolean
  delete?: boolean
  variants?: VariantDef[]
  /** hand-made pages linked from the menu and the browse page (e.g. the kanban board) */
  pages?: PageLink[]
  /** the card offers the customer-facing document: print (HTML) and PDF download */
  printable?: boolean
  /** panels of the card after the field groups */
  panels?: PanelDef[]
  /** whether the record may still be edited or deleted (confirmed documents are frozen) */
  editable?: (record: Record<string, unknown>) => boolean
  /** the record field sent as If-Match (default `version`) */
  lock?: string
  /** after a transition on the card: a path to open instead (e.g. the new version) */
  afterTransition?: (name: string, record: Record<string, unknown>) => Promise<string | null>
}
