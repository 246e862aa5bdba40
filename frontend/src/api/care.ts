/**
 * Customer care, sales targets and customer reports (issue 14): the care calendar
 * (GET /api/v1/care/upcoming/), target attainment (GET /api/v1/reports/targets/)
 * and the customer reports (GET /api/v1/reports/customers/<name>/ and their xlsx
 * export links).
 */
import { client, unwrap } from './client'

export interface CareOccasion {
  date: string
  year: number
  days_before: number
  rule: number
  rule_name: string
  occasion: 'birthday' | 'anniversary' | 'festival'
  occasion_label: string
  festival: string
  festival_label: string
  subject: string
  customer: number
  customer_name: string
  contact: number | null
  contact_name: string
  owner: number | null
  owner_name: string
  calendar: 'solar' | 'lunar'
  lunar_label: string
}

export interface CareUpcoming {
  from: string
  to: string
  count: number
  results: CareOccasion[]
}

export async function careUpcoming(days: number, from?: string): Promise<CareUpcoming> {
  const query: { days: number; from?: string } = { days }
  if (from) query.from = from
  return (await unwrap(client.GET('/api/v1/care/upcoming/', { params: { query } }))) as unknown as CareUpcoming
}

export interface TargetRow {
  id: number
  user?: number
  user_name?: string
  team?: number | null
  team_name?: string
  measure: 'won_amount' | 'collected' | 'new_customers'
  measure_label: string
  target: string | number
  actual: string | number
  attainment: string | null
  members?: number[]
  members_target?: string | number
}

export interface TargetReport {
  period: string
  period_kind: string
  start: string
  end: string
  previous: string
  people: TargetRow[]
  teams: TargetRow[]
}

export async function targetReport(period: string): Promise<TargetReport> {
  return (await unwrap(
    client.GET('/api/v1/reports/targets/', { params: { query: { period } } }),
  )) as unknown as TargetReport
}

export const CUSTOMER_REPORTS = [
  'by-level',
  'by-industry',
  'by-region',
  'by-source',
  'by-owner',
  'new-by-month',
  'idle',
  'pool-flow',
] as const
export type CustomerReportName = (typeof CUSTOMER_REPORTS)[number]

export interface CustomerReportQuery {
  date_from?: string
  date_to?: string
  team?: number | null
  days?: number
}

function clean(query: CustomerReportQuery): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') out[key] = String(value)
  }
  return out
}

const REPORT_PATHS = {
  'by-level': '/api/v1/reports/customers/by-level/',
  'by-industry': '/api/v1/reports/customers/by-industry/',
  'by-region': '/api/v1/reports/customers/by-region/',
  'by-source': '/api/v1/reports/customers/by-source/',
  'by-owner': '/api/v1/reports/customers/by-owner/',
  'new-by-month': '/api/v1/reports/customers/new-by-month/',
  idle: '/api/v1/reports/customers/idle/',
  'pool-flow': '/api/v1/reports/customers/pool-flow/',
} as const

export async function customerReport(name: CustomerReportName, query: CustomerReportQuery): Promise<Record<string, unknown>> {
  const path = REPORT_PATHS[name]
  return (await unwrap(client.GET(path, { params: { query: clean(query) as never } }))) as Record<string, unknown>
}

/** The xlsx export's download link of a customer report with the same filters. */
export function customerReportExportUrl(name: CustomerReportName, query: CustomerReportQuery): string {
  const text = new URLSearchParams(clean(query)).toString()
  return `${REPORT_PATHS[name]}export/${text ? `?${text}` : ''}`
}
