import { afterEach, describe, expect, it } from 'vitest'
import ImportJobResult from './ImportJobResult.vue'
import type { ImportJob } from './api'
import { mountWith } from '@/test/helpers'

afterEach(() => {
  document.body.innerHTML = ''
})

function job(status: ImportJob['status']): ImportJob {
  return {
    id: 3,
    resource: 'customers',
    filename: 'customers.csv',
    file_format: 'csv',
    status,
    status_label: status === 'failed' ? '失败' : '成功',
    progress: 100,
    dry_run: false,
    on_error: 'abort',
    totals: { rows: 15, new: 15, updated: 0, unchanged: 0, invalid: 0 },
    errors: [],
    error_count: 0,
    detail: '',
    result: {} as ImportJob['result'],
    options: {} as ImportJob['options'],
    created_by: 1,
    created_by_name: '管理员',
    created_at: '2026-12-06T02:00:00Z',
    started_at: '2026-12-06T02:00:00Z',
    finished_at: '2026-12-06T02:00:01Z',
    reverted: false,
    reverted_at: null,
  }
}

describe('ImportJobResult (issue 20: a failed import does not report "新建 15")', () => {
  it('shows the created count of a succeeded run', async () => {
    const { wrapper } = await mountWith(ImportJobResult, { job: job('succeeded') })
    expect(wrapper.get('[data-testid="total-new"]').text()).toContain('15')
  })

  it('shows no created or updated count for a failed run, only the rows read', async () => {
    const { wrapper } = await mountWith(ImportJobResult, { job: job('failed') })
    expect(wrapper.find('[data-testid="total-new"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="total-updated"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="total-rows"]').text()).toContain('15')
  })
})
