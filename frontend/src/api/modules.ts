/** The company's modules (GET/PATCH /api/v1/modules/): which are on, which are locked. */
import { client, unwrap } from './client'
import type { Schema } from './types'

export type AppModule = Schema<'Module'>

export function listModules(): Promise<AppModule[]> {
  return unwrap(client.GET('/api/v1/modules/'))
}

/** Switch modules on (true) or off (false), e.g. `{ marketing: false }`. */
export function setModules(values: Record<string, boolean>): Promise<AppModule[]> {
  return unwrap(client.PATCH('/api/v1/modules/', { body: values as never }))
}
