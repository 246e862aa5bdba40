/** The sales pages' own endpoints: the opportunity kanban board. */
import { client, unwrap } from './client'

/** The opportunities per stage (`?owner=` for one owner's). */
export async function opportunityBoard<T>(query: { owner?: number } = {}): Promise<T[]> {
  return (await unwrap(client.GET('/api/v1/opportunities/board/', { params: { query } }))) as T[]
}

/** The A4 document of a quote or a contract, or the form of a requisition, a stock receipt or
 * a stock return (`GET …/{id}/document/?as=html|pdf`), opened by the browser itself (the print
 * view in a new tab, the PDF as a download). */
export type PrintableCollection = 'quotes' | 'contracts' | 'requisitions' | 'stock-receipts' | 'stock-returns'

export function documentUrl(collection: PrintableCollection, id: number, as: 'html' | 'pdf'): string {
  return `/api/v1/${collection}/${id}/document/?as=${as}`
}
