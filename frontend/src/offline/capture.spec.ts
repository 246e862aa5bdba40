import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import RecordForm from '@/components/RecordForm.vue'
import { activities, contacts } from '@/resources'
import { mountWith, page } from '@/test/helpers'
import { closeOfflineDb, OfflineDb } from './db'
import { queued } from './outbox'

/** The page's forms on the offline path: the session's user (id 1) has the database `shanghui-offline-1`. */
let online = true
Object.defineProperty(window.navigator, 'onLine', { configurable: true, get: () => online })

function network(answer: (method: string, url: URL) => [number, unknown] | 'down') {
  const sent: Array<{ method: string; url: URL }> = []
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : null
    const url = new URL(request ? request.url : String(input), 'http://localhost')
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase()
    sent.push({ method, url })
    const result = answer(method, url)
    if (result === 'down') throw new TypeError('Failed to fetch')
    return new Response(JSON.stringify(result[1]), { status: result[0], headers: { 'Content-Type': 'application/json' } })
  })
  return sent
}

afterEach(async () => {
  vi.unstubAllGlobals()
  online = true
  document.body.innerHTML = ''
  closeOfflineDb()
  await new OfflineDb('shanghui-offline-1').delete()
})

describe('forms without a network', () => {
  it('queue a new activity when the browser is offline, without a request', async () => {
    online = false
    const sent = network(() => [200, page([])])
    const { wrapper } = await mountWith(RecordForm, { config: activities, preset: { customer: 9, kind: 'visit' } }, ['activities.create'])
    await wrapper.get('[data-testid="field-subject"]').setValue('拜访星辰')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    await vi.waitFor(async () => expect(await queued(new OfflineDb('shanghui-offline-1'))).toHaveLength(1))
    const [op] = await queued(new OfflineDb('shanghui-offline-1'))
    expect(op).toMatchObject({ op: 'create', collection: 'activities', state: 'pending', label: '拜访星辰', data: { subject: '拜访星辰', customer: 9, kind: 'visit' } })
    expect(sent.filter((c) => c.method !== 'GET')).toEqual([])
    expect(wrapper.emitted('cancel')).toHaveLength(1) // the dialog closes: nothing to open yet
    expect(wrapper.emitted('saved')).toBeUndefined()
  })

  it('queue an edit with its base version when the request finds no network', async () => {
    network((method) => (method === 'PATCH' ? 'down' : [200, page([])]))
    const record = { id: 4, version: 6, customer: 9, customer_name: '星辰', name: '李明', mobile: '', email: '', title: '', birthday: null }
    const { wrapper } = await mountWith(RecordForm, { config: contacts, record }, ['contacts.edit'])
    await wrapper.get('[data-testid="field-title"]').setValue('采购经理')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    await vi.waitFor(() => expect(wrapper.emitted('saved')).toHaveLength(1))
    const [op] = await queued(new OfflineDb('shanghui-offline-1'))
    expect(op).toMatchObject({ op: 'update', collection: 'contacts', record: 4, base_version: 6, data: { title: '采购经理' }, label: '李明' })
    // The card shows the edit until the push answers.
    expect(wrapper.emitted('saved')![0][0]).toMatchObject({ id: 4, title: '采购经理' })
  })

  it('still show the server refusal when there is a network', async () => {
    const sent = network((method) => (method === 'POST' ? [400, { code: 'invalid', detail: '有字段不正确。', fields: { subject: ['必填。'] } }] : [200, page([])]))
    const { wrapper } = await mountWith(RecordForm, { config: activities, preset: { customer: 9 } }, ['activities.create'])
    await wrapper.get('[data-testid="field-subject"]').setValue('x')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(sent.some((c) => c.method === 'POST' && c.url.pathname === '/api/v1/activities/')).toBe(true)
    expect(wrapper.get('[data-testid="item-subject"]').classes()).toContain('is-error')
    expect(await queued(new OfflineDb('shanghui-offline-1'))).toEqual([])
  })
})
