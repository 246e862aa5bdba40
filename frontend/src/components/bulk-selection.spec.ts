import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import BulkDeleteAction from './BulkDeleteAction.vue'
import BulkExportAction from './BulkExportAction.vue'
import { resource } from '@/resources'
import { mockApi, mountWith } from '@/test/helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const selection = [{ id: 7 }, { id: 9 }, { id: 11 }]
type State = Record<string, unknown> & { start: () => Promise<void>; confirm: () => Promise<void> }
const state = (wrapper: unknown) => (wrapper as { vm: { $: { setupState: State } } }).vm.$.setupState

describe('a selection on a list', () => {
  it('shows what a delete would do before deleting', async () => {
    const refused = [{ id: 9, name: '华信科技', code: 'protected', detail: '此客户不能删除：被 1 条销售机会使用。', blockers: [{ model: '销售机会', count: 1 }] }]
    const calls = mockApi((call) => {
      const dry = (call.body as { dry_run: boolean }).dry_run
      return [200, { dry_run: dry, deleted: 2, refused }]
    })
    const { wrapper } = await mountWith(BulkDeleteAction, { config: resource('customers'), selection, query: {}, count: 3 }, ['customers.delete'])
    const s = state(wrapper)
    await s.start()
    await flushPromises()
    expect(calls).toHaveLength(1)
    expect(calls[0].url.pathname).toBe('/api/v1/customers/bulk-delete/')
    expect(calls[0].body).toEqual({ ids: [7, 9, 11], dry_run: true })
    const text = document.body.textContent ?? ''
    expect(text).toContain('所选 3 条中，将删除 2 条。')
    expect(text).toContain('华信科技')
    expect(text).toContain('被 1 条销售机会使用')
    await s.confirm()
    await flushPromises()
    expect(calls[1].body).toEqual({ ids: [7, 9, 11], dry_run: false })
    expect(wrapper.emitted('done')).toHaveLength(1)
  })

  it('is not offered without the delete right', async () => {
    mockApi(() => [200, {}])
    const { wrapper } = await mountWith(BulkDeleteAction, { config: resource('customers'), selection, query: {}, count: 3 }, ['customers.edit'])
    expect(wrapper.find('[data-testid="bulk-delete"]').exists()).toBe(false)
  })

  it('exports only the selected ids', async () => {
    mockApi(() => [200, {}])
    const { wrapper } = await mountWith(BulkExportAction, { config: resource('customers'), selection, query: {}, count: 3 }, ['customers.view'])
    const link = wrapper.find('[data-testid="bulk-export"]')
    const href = new URL(link.attributes('href')!, 'http://x')
    expect(href.pathname).toBe('/api/v1/customers/export/')
    expect(href.searchParams.get('ids')).toBe('7,9,11')
  })
})
