import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import BrowsePage from '@/components/BrowsePage.vue'
import { mockApi, mountWith, page } from '@/test/helpers'
import { closeOfflineDb, openOfflineDb } from './db'
import { storeRecord } from './cache'
import { enqueue } from './outbox'

afterEach(() => {
  Object.defineProperty(navigator, 'onLine', { value: true, configurable: true })
  closeOfflineDb()
  document.body.innerHTML = ''
})

describe('a list read offline', () => {
  it('shows the leads created offline on top, marked 待同步, not as links to a card', async () => {
    const db = openOfflineDb(1) // the user mountWith signs in
    await db.open()
    await storeRecord('leads', { id: 7, company_name: '已同步的线索', status: 'new', status_label: '新线索', version: 1 }, db)
    await enqueue({ op: 'create', collection: 'leads', data: { company_name: '离线新线索', mobile: '13800138000' } }, db)
    Object.defineProperty(navigator, 'onLine', { value: false, configurable: true })
    const calls = mockApi(() => [200, page([])])
    const { wrapper } = await mountWith(BrowsePage, { resourceKey: 'leads' }, ['leads.view', 'leads.create'], '/leads')
    for (let i = 0; i < 20 && !wrapper.find('[data-testid="row-queued"]').exists(); i += 1) {
      await new Promise((r) => setTimeout(r, 20))
      await flushPromises()
    }
    expect(calls.filter((c) => c.url.pathname === '/api/v1/leads/')).toHaveLength(0)
    expect(wrapper.find('[data-testid="browse-offline"]').exists()).toBe(true)
    const body = wrapper.find('[data-testid="browse-table"] tbody')
    const lines = body.findAll('tr').map((tr) => tr.text())
    expect(lines[0]).toContain('离线新线索')
    expect(lines[0]).toContain('待同步')
    expect(lines[1]).toContain('已同步的线索')
    expect(lines[1]).not.toContain('待同步')
    const queued = body.find('[data-testid="row-queued"]')
    expect(queued.text()).toContain('离线新线索')
    expect(body.findAll('[data-testid="row-queued"]')).toHaveLength(1)
    expect(body.findAll('[data-testid="row-link"]').map((a) => a.attributes('href'))).toEqual(['/leads/7'])
  })
})
