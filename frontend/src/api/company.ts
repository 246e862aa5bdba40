/** The company profile (GET/PATCH /api/v1/company/) and its logo. */
import { client, unwrap } from './client'
import type { Body, Schema } from './types'

export type Company = Schema<'Company'>
export type CompanyChange = Omit<Body<'PatchedCompanyRequest'>, 'logo'>

export function getCompany(): Promise<Company> {
  return unwrap(client.GET('/api/v1/company/'))
}

export function updateCompany(body: CompanyChange): Promise<Company> {
  return unwrap(client.PATCH('/api/v1/company/', { body }))
}

/** Upload a new logo (an image file; the server checks its type by content). */
export function uploadLogo(file: File): Promise<Company> {
  const form = new FormData()
  form.append('logo', file)
  return unwrap(
    client.PATCH('/api/v1/company/', { body: form as never, bodySerializer: (body: unknown) => body as FormData }),
  )
}
