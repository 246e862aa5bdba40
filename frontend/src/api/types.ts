import type { Readable, Writable } from 'openapi-typescript-helpers'
import type { components } from './schema'

/** A schema component as the API returns it (read-only markers removed). */
export type Schema<K extends keyof components['schemas']> = Readable<components['schemas'][K]>

export type Me = Schema<'Me'>
export type Notification = Schema<'Notification'>
export type Transition = Schema<'Transition'>

/** A schema component as a request body (write-only fields kept, read-only ones removed). */
export type Body<K extends keyof components['schemas']> = Writable<components['schemas'][K]>
