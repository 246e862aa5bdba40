import { describe, expect, it } from 'vitest'
import { marketingReportExportUrl, reportParams } from './marketingReports'

describe('marketing report parameters', () => {
  const query = { date_from: '2026-11-01', date_to: '2026-11-30', as_of: '2026-10-31', team: 3, category: 7, item: null, type: 'seminar', low: true }

  it('sends each report only the filters it takes', () => {
    expect(reportParams('stock-on-hand', query)).toEqual({ as_of: '2026-10-31', category: '7', low: 'true' })
    expect(reportParams('stock-movements', query)).toEqual({ date_from: '2026-11-01', date_to: '2026-11-30', category: '7' })
    expect(reportParams('requisitions', query)).toEqual({ date_from: '2026-11-01', date_to: '2026-11-30', team: '3' })
    expect(reportParams('event-roi', query)).toEqual({ date_from: '2026-11-01', date_to: '2026-11-30', team: '3', type: 'seminar' })
    expect(reportParams('channel-roi', query)).toEqual({ date_from: '2026-11-01', date_to: '2026-11-30' })
  })

  it('leaves out empty filters and an unticked box', () => {
    expect(reportParams('stock-on-hand', { low: false, category: null, as_of: '' })).toEqual({})
  })

  it('links the export with the same filters', () => {
    expect(marketingReportExportUrl('channel-roi', query)).toBe('/api/v1/reports/marketing/channel-roi/export/?date_from=2026-11-01&date_to=2026-11-30')
    expect(marketingReportExportUrl('stock-on-hand', {})).toBe('/api/v1/reports/marketing/stock-on-hand/export/')
  })
})
