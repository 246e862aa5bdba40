import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import TemplatePreviewPanel from './TemplatePreviewPanel.vue'
import RefSelect from '@/components/RefSelect.vue'
import { messageTemplates } from '@/resources/messaging'
import { mockApi, mountWith, page } from '@/test/helpers'
import messagingZh from '@/i18n/messaging.zh-CN'
import messagingEn from '@/i18n/messaging.en'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const template = { id: 4, name: '春节问候', channel_kind: 'sms', body: '{{联系人}}您好' }

describe('TemplatePreviewPanel', () => {
  it('is on the template card and its strings are in both catalogs', () => {
    expect(messageTemplates.panels?.map((p) => p.key)).toContain('preview')
    expect(Object.keys(messagingEn.messaging.preview).sort()).toEqual(Object.keys(messagingZh.messaging.preview).sort())
  })

  it('previews the template for the chosen contact, with the SMS segments', async () => {
    const calls = mockApi((call) => {
      if (call.url.pathname === '/api/v1/contacts/') return [200, page([{ id: 12, name: '李雷' }])]
      if (call.url.pathname === '/api/v1/message-templates/4/preview/')
        return [200, { subject: '', body: '李雷您好', values: {}, text: '【商汇】李雷您好', characters: 8, segments: 1 }]
      return [200, page([])]
    })
    const { wrapper } = await mountWith(TemplatePreviewPanel, { record: template }, ['messaging.template.view'])
    await flushPromises()
    wrapper.findComponent(RefSelect).vm.$emit('update:modelValue', 12)
    await flushPromises()
    await wrapper.get('[data-testid="template-preview"]').trigger('click')
    await flushPromises()
    const asked = calls.find((c) => c.url.pathname === '/api/v1/message-templates/4/preview/')!
    expect(asked.url.searchParams.get('model')).toBe('contact')
    expect(asked.url.searchParams.get('id')).toBe('12')
    expect(wrapper.get('[data-testid="template-preview-text"]').text()).toBe('【商汇】李雷您好')
    expect(wrapper.get('[data-testid="template-preview-segments"]').text()).toContain('1 条短信')
  })

  it('previews with sample values when no record is chosen (no id sent)', async () => {
    const calls = mockApi((call) =>
      call.url.pathname.endsWith('/preview/') ? [200, { subject: '问候', body: '您好', values: {} }] : [200, page([])],
    )
    const { wrapper } = await mountWith(TemplatePreviewPanel, { record: { ...template, channel_kind: 'email' } }, ['messaging.template.view'])
    await wrapper.get('[data-testid="template-preview"]').trigger('click')
    await flushPromises()
    const asked = calls.find((c) => c.url.pathname.endsWith('/preview/'))!
    expect(asked.url.searchParams.has('id')).toBe(false)
    expect(wrapper.get('[data-testid="template-preview-subject"]').text()).toBe('问候')
    expect(wrapper.find('[data-testid="template-preview-segments"]').exists()).toBe(false)
  })
})
