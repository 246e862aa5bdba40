import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { ElMessageBox } from 'element-plus'
import AnnouncementPanel from './AnnouncementPanel.vue'
import AttachmentsPanel from './AttachmentsPanel.vue'
import WorkbenchPanels from './WorkbenchPanels.vue'
import { announcements, officeResources } from '@/resources/office'
import { resources } from '@/resources'
import { mockApi, mountWith, page } from '@/test/helpers'
import officeZh from '@/i18n/office.zh-CN'
import officeEn from '@/i18n/office.en'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

const published = { id: 4, title: '春节放假通知', status: 'published', read: false, version: 2 }
const receipts = {
  read_count: 1,
  unread_count: 1,
  read: [{ user: 1, name: '王老板', team: '华东', read_at: '2026-01-05T09:00:00+08:00' }],
  unread: [{ user: 2, name: '李销售', team: null, read_at: null }],
}
const file = {
  id: 9,
  name: '合同扫描.png',
  size: 2048,
  content_type: 'image/png',
  customer: 3,
  uploaded_by: 1,
  uploaded_by_name: '王老板',
  created_at: '2026-01-05T09:00:00+08:00',
  download_url: '/api/v1/attachments/9/download/',
  preview_url: '/api/v1/attachments/9/preview/',
}

describe('office resources', () => {
  it('are registered, the catalogs agree, attachable cards get the attachments panel', () => {
    const zh = new Set(keys(officeZh))
    expect(keys(officeEn).sort()).toEqual([...zh].sort())
    for (const config of Object.values(officeResources)) {
      expect(resources[config.key]).toBe(config)
      for (const key of [config.title, config.noun, ...config.fields.map((f) => f.label).filter((l) => l?.startsWith('office.'))]) {
        expect(zh.has(key as string), key).toBe(true)
      }
    }
    for (const key of ['customers', 'contacts', 'leads', 'opportunities', 'quotes', 'contracts', 'payments', 'complaints']) {
      expect(resources[key].panels?.filter((p) => p.key === 'attachments')).toHaveLength(1)
    }
    expect(announcements.editable?.({ status: 'published' })).toBe(false)
  })
})

describe('AnnouncementPanel', () => {
  it('marks a published announcement read when the card opens; an editor sees the receipts', async () => {
    const calls = mockApi((call) => [200, call.url.pathname.endsWith('/receipts/') ? receipts : published])
    const { wrapper } = await mountWith(AnnouncementPanel, { record: published, config: announcements }, ['office.announcement.view', 'office.announcement.edit'])
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'POST /api/v1/announcements/4/read/',
      'GET /api/v1/announcements/4/receipts/',
    ])
    expect(wrapper.get('[data-testid="receipts-counts"]').text()).toContain('已读 1 人，未读 1 人')
    expect(wrapper.get('[data-testid="receipts-table"]').text()).toContain('李销售')
  })

  it('a reader marks it read and sees no receipts; a draft is not marked', async () => {
    let calls = mockApi(() => [200, published])
    const { wrapper } = await mountWith(AnnouncementPanel, { record: published, config: announcements }, ['office.announcement.view'])
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual(['POST /api/v1/announcements/4/read/'])
    expect(wrapper.find('[data-testid="receipts-table"]').exists()).toBe(false)
    wrapper.unmount()
    calls = mockApi(() => [200, {}])
    await mountWith(AnnouncementPanel, { record: { ...published, status: 'draft' }, config: announcements }, ['office.announcement.view', 'office.announcement.edit'])
    expect(calls).toEqual([])
  })
})

describe('AttachmentsPanel', () => {
  it('lists the record files with download link and image preview, uploads multipart onto the record', async () => {
    const calls = mockApi((call) => [call.method === 'POST' ? 201 : 200, call.method === 'POST' ? file : page([file])])
    const { wrapper } = await mountWith(AttachmentsPanel, { record: { id: 3 }, config: resources.customers }, ['office.attachment.view', 'office.attachment.create', 'office.attachment.delete'])
    expect(calls[0].url.pathname).toBe('/api/v1/attachments/')
    expect(calls[0].url.searchParams.get('customer')).toBe('3')
    expect(wrapper.get('[data-testid="attachment-download"]').attributes('href')).toBe('/api/v1/attachments/9/download/')
    expect(wrapper.find('[data-testid="attachment-preview"]').exists()).toBe(true)
    const input = wrapper.get('[data-testid="attachment-input"]').element as HTMLInputElement
    Object.defineProperty(input, 'files', { value: [new File(['x'], 'scan.pdf', { type: 'application/pdf' })] })
    input.dispatchEvent(new Event('change'))
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.headers.get('content-type')).toMatch(/^multipart\/form-data/)
    expect(String(post.body)).toContain('scan.pdf')
    expect(String(post.body)).toMatch(/name="customer"\r\n\r\n3/)
    expect(wrapper.emitted('changed')).toHaveLength(1)
  })

  it("shows the API's refusal of an upload", async () => {
    mockApi((call) =>
      call.method === 'POST'
        ? [400, { code: 'invalid', detail: '文件过大。', fields: { file: ['文件不能超过 20 MB。'] } }]
        : [200, page([])],
    )
    const { wrapper } = await mountWith(AttachmentsPanel, { record: { id: 3 }, config: resources.customers }, ['office.attachment.create'])
    const input = wrapper.get('[data-testid="attachment-input"]').element as HTMLInputElement
    Object.defineProperty(input, 'files', { value: [new File(['x'], 'big.zip')] })
    input.dispatchEvent(new Event('change'))
    await flushPromises()
    expect(wrapper.get('[data-testid="attachment-error"]').text()).toContain('文件不能超过 20 MB。')
  })

  it("asks before deleting and shows the API's refusal of a delete", async () => {
    vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    const calls = mockApi((call) =>
      call.method === 'DELETE' ? [409, { code: 'conflict', detail: '已确认的合同的附件不能删除。', fields: {} }] : [200, page([file])],
    )
    const { wrapper } = await mountWith(AttachmentsPanel, { record: { id: 3 }, config: resources.customers }, ['office.attachment.delete'])
    await wrapper.get('[data-testid="attachment-delete"]').trigger('click')
    await flushPromises()
    expect(ElMessageBox.confirm).toHaveBeenCalledOnce()
    expect(calls.find((c) => c.method === 'DELETE')!.url.pathname).toBe('/api/v1/attachments/9/')
    expect(wrapper.get('[data-testid="attachment-error"]').text()).toContain('已确认的合同的附件不能删除。')
    expect(wrapper.emitted('changed')).toBeUndefined()
    vi.restoreAllMocks()
  })
})

describe('WorkbenchPanels', () => {
  it('shows each panel the API gives with its link and rows opening their records', async () => {
    mockApi(() => [
      200,
      {
        date: '2026-01-05',
        panels: {
          tasks: { count: 2, overdue: 1, results: [{ id: 5, title: '报价跟进', overdue: true }], link: '/tasks?mine=1', overdue_link: '/tasks?mine=1&overdue=true' },
          approvals: { count: 1, results: [{ kind: 'quote', id: 8, title: 'BJ-8', status: 'submitted' }], links: { quotes: '/quotes?status=submitted' } },
          figures: { since: '2026-01-01', new_leads: { value: 3, link: '/leads?owner=1' } },
        },
      },
    ])
    const { wrapper } = await mountWith(WorkbenchPanels, {})
    const tasks = wrapper.get('[data-testid="workbench-tasks"]')
    expect(tasks.text()).toContain('报价跟进')
    expect(tasks.find('a[href="/tasks/5"]').exists()).toBe(true)
    expect(tasks.find('a[href="/tasks?mine=1"]').exists()).toBe(true)
    expect(tasks.text()).toContain('已逾期 1 项')
    expect(wrapper.get('[data-testid="workbench-approvals"]').find('a[href="/quotes/8"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="workbench-approvals"]').find('a[href="/quotes?status=submitted"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="workbench-events"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="figure-new_leads"]').text()).toContain('3')
  })
})
