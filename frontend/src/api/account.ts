/**
 * The signed-in user and the company: session login and logout, sign-up,
 * personal settings, password, the company's settings.
 */
import { client, unwrap } from './client'
import type { Body, Me } from './types'

export type SignupData = Body<'SignupRequest'>

export function getMe(): Promise<Me> {
  return unwrap(client.GET('/api/v1/me/'))
}

/** GET sets the CSRF cookie the session login needs. */
export async function ensureCsrf(): Promise<void> {
  await unwrap(client.GET('/api/v1/auth/login/'))
}

export function login(username: string, password: string): Promise<Me> {
  return unwrap(client.POST('/api/v1/auth/login/', { body: { username, password } }))
}

export async function signup(data: SignupData): Promise<void> {
  await unwrap(client.POST('/api/v1/signup/', { body: data }))
}

export async function logout(): Promise<void> {
  await unwrap(client.POST('/api/v1/auth/logout/'))
}

export function updateMe(body: Body<'PatchedMeRequest'>): Promise<Me> {
  return unwrap(client.PATCH('/api/v1/me/', { body }))
}

export async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
  await unwrap(client.POST('/api/v1/me/password/', { body: { old_password: oldPassword, new_password: newPassword } }))
}

/** The company's integer settings, by key. */
export async function getSettings(): Promise<Record<string, number>> {
  return (await unwrap(client.GET('/api/v1/settings/'))) as Record<string, number>
}

export async function updateSettings(changed: Record<string, number>): Promise<Record<string, number>> {
  return (await unwrap(client.PATCH('/api/v1/settings/', { body: changed as never }))) as Record<string, number>
}
