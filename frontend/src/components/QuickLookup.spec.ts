import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n } from '@/i18n'
import QuickLookup from './QuickLookup.vue'

function mountLookup() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }] })
  const wrapper = mount(
    { components: { QuickLookup }, template: '<div><textarea data-testid="note" /><QuickLookup /></div>' },
    { attachTo: document.body, global: { plugins: [ElementPlus, createPinia(), router, i18n] } },
  )
  const input = wrapper.find('input').element as HTMLInputElement
  return { wrapper, input }
}

describe('QuickLookup shortcuts', () => {
  it('focuses on / and on Ctrl+K, but / typed in a text field stays there', async () => {
    const { wrapper, input } = mountLookup()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }))
    expect(document.activeElement).toBe(input)

    input.blur()
    const note = wrapper.find('[data-testid="note"]').element as HTMLTextAreaElement
    note.focus()
    const typed = new KeyboardEvent('keydown', { key: '/', bubbles: true, cancelable: true })
    note.dispatchEvent(typed)
    expect(typed.defaultPrevented).toBe(false)
    expect(document.activeElement).toBe(note)

    const ctrlK = new KeyboardEvent('keydown', { key: 'k', ctrlKey: true, bubbles: true, cancelable: true })
    note.dispatchEvent(ctrlK)
    expect(ctrlK.defaultPrevented).toBe(true)
    expect(document.activeElement).toBe(input)
    wrapper.unmount()
  })
})
