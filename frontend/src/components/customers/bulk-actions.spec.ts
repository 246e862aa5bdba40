import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import BulkLabelAction from './BulkLabelAction.vue'
import BulkTransferAction from './BulkTransferAction.vue'
import { resource } from '@/resources'
import { mockApi, mountWith, page } from '@/test/helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const selection = [{ id: 7, version: 1 }, { id: 9, version: 2 }]

function api() {
  return mockApi((call) => {
    if (call.url.pathname === '/api/v1/users/') return [200, page([{ id: 5, username: 'rep', full_name: '张三', is_active: true }])]
    if (call.url.pathname === '/api/v1/customer-groups/tags/') return [200, [{ name: 'VIP', customers: 3 }]]
    if (call.method === 'POST') return [200, { customers: 2, added: 2, removed: 0, transferred: 2, opportunities: 0, followups: 0 }]
    return [200, page([])]
  })
}

type State = Record<string, unknown> & { start: () => Promise<void>; save: () => Promise<void> }
const state = (wrapper: unknown) => (wrapper as { vm: { $: { setupState: State } } }).vm.$.setupState

describe('bulk actions of the lead and customer lists', () => {
  it('transfers the selected leads in one request with the reason', async () => {
    const calls = api()
    const { wrapper } = await mountWith(BulkTransferAction, { config: resource('leads'), selection, query: { status: 'new' }, count: 40 }, ['leads.edit'])
    const s = state(wrapper)
    await s.start()
    s.owner = 5
    s.reason = '离职交接'
    await s.save()
    await flushPromises()
    const posts = calls.filter((c) => c.method === 'POST')
    expect(posts.map((p) => p.url.pathname)).toEqual(['/api/v1/leads/bulk-transfer/'])
    expect(posts[0].body).toMatchObject({ owner: 5, reason: '离职交接', move_open_opportunities: false, move_followups: false, ids: [7, 9] })
    expect(wrapper.emitted('done')).toHaveLength(1)
  })

  it('labels every customer of the current filter when asked to', async () => {
    const calls = api()
    const { wrapper } = await mountWith(BulkLabelAction, { config: resource('customers'), selection: [], query: { region: '华东' }, count: 120 }, ['customers.edit'])
    const s = state(wrapper)
    await s.start()
    expect(s.scope).toBe('filter')
    expect(s.known).toEqual(['VIP'])
    s.groups = [3]
    s.tags = ['展会']
    await s.save()
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url.pathname).toBe('/api/v1/customers/bulk-label/')
    expect(post.url.searchParams.get('region')).toBe('华东')
    expect(post.body).toEqual({ add_groups: [3], add_tags: ['展会'] })
  })
})
