/**
 * Running the company alone (issue 17 items 4, 5, 7, 8): backups in the
 * background and restore, usage statistics, personal settings (profile, avatar,
 * notification channels, tokens and sessions), invitations and password resets.
 */
import { client, unwrap } from './client'
import type { Body, Me, Schema } from './types'

// --- backup ---------------------------------------------------------------------
export type BackupJob = Schema<'BackupJob'>

export async function listBackups(): Promise<BackupJob[]> {
  return (await unwrap(client.GET('/api/v1/backup/jobs/', { params: { query: { page_size: 10 } as never } }))).results
}

export function startBackup(): Promise<BackupJob> {
  return unwrap(client.POST('/api/v1/backup/jobs/'))
}

export function getBackup(id: number): Promise<BackupJob> {
  return unwrap(client.GET('/api/v1/backup/jobs/{id}/', { params: { path: { id } } }))
}

export interface RestoreTarget {
  target: 'this' | 'new'
  company?: string
  username?: string
  password?: string
  email?: string
}

export interface RestoreResult {
  rows: Record<string, number>
  tenant?: number
  username?: string
  renamed_users?: Record<string, string>
}

export async function restoreBackup(file: File, target: RestoreTarget): Promise<RestoreResult> {
  const form = new FormData()
  form.append('file', file)
  for (const [key, value] of Object.entries(target)) if (value) form.append(key, value)
  return (await unwrap(
    client.POST('/api/v1/backup/restore/', { body: form as never, bodySerializer: (body: unknown) => body as FormData }),
  )) as unknown as RestoreResult
}

// --- usage ----------------------------------------------------------------------
export interface UsageReport {
  start: string
  end: string
  modules: { key: string; label: string }[]
  days: { date: string; active_users: number; sign_ins: number; actions: Record<string, number> }[]
  weeks: { week_start: string; active_users: number }[]
  active_users: number
  sign_ins: number
  created: Record<string, number>
  storage: { bytes: number; files: number; quota_bytes: number }
}

export async function usage(start: string, end: string): Promise<UsageReport> {
  return (await unwrap(client.GET('/api/v1/reports/usage/', { params: { query: { start, end } } }))) as unknown as UsageReport
}

// --- personal settings ----------------------------------------------------------
export type ApiToken = Schema<'ApiToken'>
export type UserSession = Schema<'UserSession'>

export function updateProfile(body: Body<'PatchedMeRequest'>): Promise<Me> {
  return unwrap(client.PATCH('/api/v1/me/', { body }))
}

export function uploadAvatar(file: File): Promise<Me> {
  const form = new FormData()
  form.append('avatar', file)
  return unwrap(
    client.POST('/api/v1/me/avatar/', { body: form as never, bodySerializer: (body: unknown) => body as FormData }),
  )
}

export async function removeAvatar(): Promise<void> {
  await unwrap(client.DELETE('/api/v1/me/avatar/'))
}

export async function notificationPreferences(): Promise<Record<string, string[]>> {
  return (await unwrap(client.GET('/api/v1/me/notification-preferences/'))) as Record<string, string[]>
}

export async function saveNotificationPreferences(values: Record<string, string[]>): Promise<Record<string, string[]>> {
  return (await unwrap(client.PUT('/api/v1/me/notification-preferences/', { body: values as never }))) as Record<
    string,
    string[]
  >
}

function rowsOf<T>(data: T[] | { results: T[] }): T[] {
  return Array.isArray(data) ? data : data.results
}

export async function listTokens(): Promise<ApiToken[]> {
  return rowsOf(await unwrap(client.GET('/api/v1/me/tokens/', { params: { query: { page_size: 200 } as never } })))
}

export async function revokeToken(id: number): Promise<void> {
  await unwrap(client.DELETE('/api/v1/me/tokens/{id}/', { params: { path: { id } } }))
}

export async function listSessions(): Promise<UserSession[]> {
  return rowsOf(await unwrap(client.GET('/api/v1/me/sessions/', { params: { query: { page_size: 200 } as never } })))
}

export async function revokeSession(id: number): Promise<void> {
  await unwrap(client.DELETE('/api/v1/me/sessions/{id}/', { params: { path: { id } } }))
}

// --- users in bulk --------------------------------------------------------------
export type UserRow = Schema<'User'>

export async function listUsers(): Promise<UserRow[]> {
  return rowsOf(await unwrap(client.GET('/api/v1/users/', { params: { query: { page_size: 200 } as never } })))
}

export async function listRoles(): Promise<{ id: number; name: string }[]> {
  return rowsOf(
    (await unwrap(client.GET('/api/v1/roles/', { params: { query: { page_size: 200 } as never } }))) as never,
  ) as { id: number; name: string }[]
}

export async function inviteUsers(emails: string[], roles: number[]): Promise<{ id: number; username: string }[]> {
  return (await unwrap(client.POST('/api/v1/users/invite/', { body: { emails, roles } as never }))) as unknown as {
    id: number
    username: string
  }[]
}

export async function resetPassword(id: number): Promise<void> {
  await unwrap(client.POST('/api/v1/users/{id}/reset-password/', { params: { path: { id } } }))
}

export async function deactivateUser(id: number): Promise<void> {
  await unwrap(client.DELETE('/api/v1/users/{id}/', { params: { path: { id } } }))
}

/** Move every customer and lead of ``from`` to ``to`` (the bulk transfer endpoints). */
export async function transferRecords(from: number, to: number): Promise<void> {
  const query = { owner: from } as never
  await unwrap(client.POST('/api/v1/customers/bulk-transfer/', { params: { query }, body: { owner: to } as never }))
  await unwrap(client.POST('/api/v1/leads/bulk-transfer/', { params: { query }, body: { owner: to } as never }))
}

// --- the public invitation page -------------------------------------------------
export interface InvitationInfo {
  kind: 'invite' | 'reset'
  username: string
  email: string
  full_name: string
  company: string
}

export async function invitation(key: string): Promise<InvitationInfo> {
  return (await unwrap(client.GET('/api/v1/invitations/{key}/', { params: { path: { key } } }))) as InvitationInfo
}

export async function acceptInvitation(key: string, password: string, fullName: string): Promise<{ username: string }> {
  return (await unwrap(
    client.POST('/api/v1/invitations/{key}/accept/', {
      params: { path: { key } },
      body: { password, full_name: fullName },
    }),
  )) as { username: string }
}
