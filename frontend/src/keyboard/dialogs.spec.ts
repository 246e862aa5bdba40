import { afterEach, describe, expect, it, vi } from 'vitest'
import { focusFirstField, focusWhenReady, onDialogKeydown, submitButton } from './dialogs'

afterEach(() => {
  document.body.innerHTML = ''
})

function dialog(body: string, footer = '<button class="el-button el-button--primary" id="ok">确定</button>'): HTMLElement {
  document.body.innerHTML = `<div class="el-dialog"><div class="el-dialog__body">${body}</div><div class="el-dialog__footer"><button class="el-button" id="cancel">取消</button>${footer}</div></div>`
  return document.querySelector('.el-dialog') as HTMLElement
}

function enter(target: HTMLElement, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true, ...init })
  target.dispatchEvent(event)
  onDialogKeydown(event)
  return event
}

describe('dialogs and the keyboard', () => {
  it('focuses the first field, not a hidden or read-only one', () => {
    const d = dialog('<input type="hidden"><input readonly id="ro"><div style="display: none"><input id="gone"></div><input id="first"><textarea></textarea>')
    expect(focusFirstField(d)).toBe(true)
    expect(document.activeElement?.id).toBe('first')
    // Already in a field: leave it there.
    expect(focusFirstField(d)).toBe(false)
  })

  it('a form that arrives two seconds after its dialog still gets the focus', () => {
    vi.useFakeTimers()
    try {
      const d = dialog('<div class="loading"></div>')
      focusWhenReady(d)
      vi.advanceTimersByTime(2000) // a busy machine: the form's choices are still loading
      d.querySelector('.loading')!.innerHTML = '<input id="name">'
      vi.advanceTimersByTime(200)
      expect(document.activeElement?.id).toBe('name')
    } finally {
      vi.useRealTimers()
    }
  })

  it('Enter in a one-line field presses the primary button', () => {
    const d = dialog('<input id="name">')
    const ok = vi.fn()
    submitButton(d)!.addEventListener('click', ok)
    const event = enter(d.querySelector('#name') as HTMLElement)
    expect(ok).toHaveBeenCalledTimes(1)
    expect(event.defaultPrevented).toBe(true)
  })

  it('Enter keeps its meaning in a textarea, a select, while composing, and on a disabled button', () => {
    const d = dialog('<textarea id="note"></textarea><div class="el-select"><input id="pick"></div><input id="name">')
    const ok = vi.fn()
    submitButton(d)!.addEventListener('click', ok)
    enter(d.querySelector('#note') as HTMLElement)
    enter(d.querySelector('#pick') as HTMLElement)
    enter(d.querySelector('#name') as HTMLElement, { isComposing: true })
    expect(ok).not.toHaveBeenCalled()
    const off = dialog('<input id="x">', '<button class="el-button el-button--primary" disabled>确定</button>')
    expect(submitButton(off)).toBeNull()
  })

  it('a form with its own submit button is left to submit itself', () => {
    const d = dialog('<form><input id="name"><button type="submit" class="el-button el-button--primary" id="save">保存</button></form>')
    const ok = vi.fn()
    d.querySelector('#ok')!.addEventListener('click', ok)
    const event = enter(d.querySelector('#name') as HTMLElement)
    expect(ok).not.toHaveBeenCalled()
    expect(event.defaultPrevented).toBe(false)
  })
})
