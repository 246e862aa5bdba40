/** The sales pages' own endpoints: the opportunity kanban board. */
import { client, unwrap } from './client'

/** The opportunities per stage (`?owner=` for one owner's). */
export async function opportunityBoard<T>(query: { owner?: number } = {}): Promise<T[]> {
  return (await unwrap(client.GET('/api/v1/opportunities/board/', { params: { query } }))) as T[]
}
