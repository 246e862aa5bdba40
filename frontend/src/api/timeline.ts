/** A record's timeline (`GET /api/v1/timeline/?<record>=<id>`, crm/activities/timeline.py). */
import type { components } from './schema'
import { client, unwrap } from './client'

/** The kinds of record that have a timeline: the query parameter naming the record. */
export type TimelineRecord = 'customer' | 'contact' | 'lead' | 'opportunity' | 'contract' | 'complaint'
export type TimelineEntry = components['schemas']['TimelineEntry']
export type TimelinePage = components['schemas']['TimelinePage']

export async function timeline(record: TimelineRecord, id: number, page = 1, pageSize = 50): Promise<TimelinePage> {
  const query = { [record]: id, page, page_size: pageSize }
  return unwrap(client.GET('/api/v1/timeline/', { params: { query } }))
}
