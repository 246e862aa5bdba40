/** Lists the forms and filters choose from: dictionary items, users, permission codes. */
import { client, unwrap } from './client'
import { api } from './collections'
import type { Schema } from './types'

export type PermissionCode = Schema<'PermissionCode'>

export async function dictionaryItems(kind: string): Promise<Array<{ id: number; label: string }>> {
  const page = await api.list<{ id: number; label: string }>('dictionary', { kind, active: 'true', page_size: 200 })
  return page.results
}

/** One dictionary value, active or not (an old record may hold a deactivated one). */
export function dictionaryItem(id: number | string): Promise<{ id: number; label: string; active: boolean }> {
  return api.get<{ id: number; label: string; active: boolean }>('dictionary', id)
}

export async function activeUsers(): Promise<Array<{ id: number; username: string; full_name: string }>> {
  const page = await api.list<{ id: number; username: string; full_name: string }>('users', { page_size: 200, is_active: 'true' })
  return page.results
}

/** Every permission code a role may hold, with its label and module. */
export function permissionCodes(): Promise<PermissionCode[]> {
  return unwrap(client.GET('/api/v1/roles/codes/'))
}
