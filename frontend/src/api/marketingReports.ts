/**
 * The marketing reports (issue 15): GET /api/v1/reports/marketing/<name>/ and their
 * xlsx export links (/export/ with the same filters). Money comes as decimal strings.
 */
import { client, unwrap } from './client'

export const MARKETING_REPORTS = ['stock-on-hand', 'stock-movements', 'requisitions', 'event-roi', 'channel-roi'] as const
export type MarketingReportName = (typeof MARKETING_REPORTS)[number]

export interface MarketingReportQuery {
  date_from?: string
  date_to?: string
  as_of?: string
  team?: number | null
  category?: number | null
  item?: number | null
  type?: string | null
  low?: boolean
}

export type ReportRow = Record<string, unknown>

export interface MarketingReport {
  rows: ReportRow[]
  totals: Record<string, unknown>
  truncated?: boolean
  categories?: ReportRow[]
  departments?: ReportRow[]
  types?: Array<{ value: string; label: string }>
  date_from?: string | null
  date_to?: string | null
  as_of?: string
}

const REPORT_PATHS = {
  'stock-on-hand': '/api/v1/reports/marketing/stock-on-hand/',
  'stock-movements': '/api/v1/reports/marketing/stock-movements/',
  requisitions: '/api/v1/reports/marketing/requisitions/',
  'event-roi': '/api/v1/reports/marketing/event-roi/',
  'channel-roi': '/api/v1/reports/marketing/channel-roi/',
} as const

/** The query parameters each report takes (others are left out of its request). */
const PARAMS: Record<MarketingReportName, Array<keyof MarketingReportQuery>> = {
  'stock-on-hand': ['as_of', 'category', 'low'],
  'stock-movements': ['date_from', 'date_to', 'item', 'category'],
  requisitions: ['date_from', 'date_to', 'team'],
  'event-roi': ['date_from', 'date_to', 'team', 'type'],
  'channel-roi': ['date_from', 'date_to'],
}

export function reportParams(name: MarketingReportName, query: MarketingReportQuery): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of PARAMS[name]) {
    const value = query[key]
    if (value === undefined || value === null || value === '' || value === false) continue
    out[key] = String(value)
  }
  return out
}

export async function marketingReport(name: MarketingReportName, query: MarketingReportQuery): Promise<MarketingReport> {
  const params = reportParams(name, query)
  return (await unwrap(client.GET(REPORT_PATHS[name], { params: { query: params as never } }))) as unknown as MarketingReport
}

/** The xlsx export's download link of a report with the same filters. */
export function marketingReportExportUrl(name: MarketingReportName, query: MarketingReportQuery): string {
  const text = new URLSearchParams(reportParams(name, query)).toString()
  return `${REPORT_PATHS[name]}export/${text ? `?${text}` : ''}`
}
