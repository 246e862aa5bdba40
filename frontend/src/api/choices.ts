/** The fixed choices of every collection's fields (GET /api/v1/choices/), labelled in the request's language. */
import { client, unwrap } from './client'
import type { Collection } from './collections'

export interface FieldChoice {
  value: string
  label: string
}
/** collection -> field -> its choices, in order */
export type CollectionChoices = Partial<Record<Collection, Record<string, FieldChoice[]>>>

export async function listChoices(): Promise<CollectionChoices> {
  return (await unwrap(client.GET('/api/v1/choices/'))) as CollectionChoices
}
