/**
 * What a resource page needs to know about a collection of the API. One
 * Browse page, one Card page and one form render every resource from this;
 * adding a module's pages is one entry in resources/index.ts.
 */

export type FieldType =
  | 'text'
  | 'textarea'
  | 'number'
  | 'money'
  | 'date'
  | 'datetime'
  | 'bool'
  | 'enum' // fixed choices: `enum` names the i18n group `enums.<enum>.<value>`
  | 'dict' // a tenant dictionary item (DictionaryItem of kind `dict`)
  | 'user' // a user of the company
  | 'ref' // a record of another resource (`ref` = resource key)
  | 'refs' // several records of another resource
  | 'codes' // permission codes (roles)
  | 'password'

export interface FieldDef {
  name: string
  type?: FieldType
  /** i18n key of the label; default `fields.<name>` */
  label?: string
  /** the read-only API field that holds the display text (e.g. owner_name) */
  display?: string
  enum?: string
  options?: string[]
  dict?: string
  ref?: string
  /** server `ordering` name when the column is sortable */
  sort?: string
  width?: number
  required?: boolean
  /** shown in the form only when creating */
  createOnly?: boolean
  /** link the value to the record's card (browse) */
  link?: boolean
}

export interface FilterDef {
  name: string
  type: 'enum' | 'dict' | 'user' | 'ref' | 'bool' | 'daterange' | 'text'
  enum?: string
  options?: string[]
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

export interface InputDef extends FieldDef {
  /** kept out of `reasons`: the server may refuse without it */
  optional?: boolean
}

export interface CardAction {
  /** i18n key of the button */
  label: string
  /** create a record of this resource, preset from the card */
  create: string
  /** preset values: `$id` is the card's id, `$field` a field of the card */
  preset: Record<string, string | number>
  permission?: string
  testid?: string
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

export interface ResourceConfig {
  key: string
  /** collection endpoint, e.g. /api/v1/leads/ */
  endpoint: string
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
  /** extra inputs per transition (beyond the API's `inputs`, e.g. merge target) */
  transitionInputs?: Record<string, InputDef[]>
  history?: boolean
  /** activities shown in the timeline: the activities filter naming this record */
  timelineActivities?: string
  related?: RelatedDef[]
  cardActions?: CardAction[]
  export?: boolean
  /** the field bulk reassign writes (via PATCH per row) */
  bulkOwner?: string
  create?: boolean
  edit?: boolean
  delete?: boolean
  variants?: VariantDef[]
}
