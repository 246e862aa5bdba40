/**
 * Saved list views (issue 20 item 9): a user's named filters, columns and sort
 * of one list, their own plus those their team shares.
 */
import { client, unwrap } from './client'
import type { Body, Schema } from './types'

export type SavedView = Schema<'SavedView'>
export type SavedViewBody = Body<'SavedViewRequest'>

/** The views of one list (its endpoint, e.g. ``customers``) the user may apply. */
export async function listSavedViews(collection: string): Promise<SavedView[]> {
  const query = { collection, page_size: 200 }
  return (await unwrap(client.GET('/api/v1/saved-views/', { params: { query: query as never } }))).results
}

export function createSavedView(body: SavedViewBody): Promise<SavedView> {
  return unwrap(client.POST('/api/v1/saved-views/', { body }))
}

export async function deleteSavedView(id: number): Promise<void> {
  await unwrap(client.DELETE('/api/v1/saved-views/{id}/', { params: { path: { id } } }))
}
