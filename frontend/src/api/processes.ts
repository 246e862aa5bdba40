/** The processes (GET /api/v1/processes/): each one's states and steps, labelled in the request's language. */
import { client, unwrap } from './client'
import type { Schema } from './types'

export type ProcessInfo = Schema<'Process'>

export function listProcesses(): Promise<ProcessInfo[]> {
  return unwrap(client.GET('/api/v1/processes/'))
}
