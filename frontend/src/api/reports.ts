/** The dashboard's reports (crm/reports/api.py, the SLA report of crm/service/api.py). */
import { client, unwrap } from './client'

type Report = Record<string, unknown>
type Period = { date_from: string; date_to: string }

export async function funnel(query: Period): Promise<Report> {
  return (await unwrap(client.GET('/api/v1/reports/funnel/', { params: { query } }))) as Report
}

export async function wonByMonth(query: Period): Promise<Report> {
  return (await unwrap(client.GET('/api/v1/reports/won-by-month/', { params: { query } }))) as Report
}

export async function receivablesAging(query: { as_of: string }): Promise<Report> {
  return (await unwrap(client.GET('/api/v1/reports/receivables-aging/', { params: { query } }))) as Report
}

export async function complaintSla(query: { from: string; to: string }): Promise<Report> {
  return (await unwrap(client.GET('/api/v1/reports/sla/', { params: { query } }))) as Report
}
