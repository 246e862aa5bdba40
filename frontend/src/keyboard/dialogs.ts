/**
 * Keyboard in dialogs, for every dialog of the app at once (installed in main.ts):
 * - a dialog focuses its first field when it opens;
 * - Enter in a one-line field submits (the dialog's primary footer button; a form
 *   with its own submit button submits itself), never in a textarea, a picker or
 *   a select, nor while an input method is composing Chinese;
 * - Esc closes (Element Plus dialogs do it themselves: close-on-press-escape).
 */

const FIELDS = [
  'input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]):not([disabled]):not([readonly])',
  'textarea:not([disabled]):not([readonly])',
].join(', ')
/** Widgets whose own Enter means something else (pick an option, a date...). */
const OWN_ENTER = '.el-select, .el-select-v2, .el-autocomplete, .el-cascader, .el-date-editor, .el-time-picker, .el-mention, .el-input-tag'

function visible(el: HTMLElement): boolean {
  return !el.closest('[hidden], [style*="display: none"]')
}

/** Focus the first field of an open dialog; false when it has none or one is focused already. */
export function focusFirstField(dialog: HTMLElement): boolean {
  const active = document.activeElement as HTMLElement | null
  if (active && active !== dialog && dialog.contains(active) && active.matches('input, textarea, select')) return false
  const body = (dialog.querySelector('.el-dialog__body') as HTMLElement | null) ?? dialog
  const field = Array.from(body.querySelectorAll<HTMLElement>(FIELDS)).find(visible)
  if (!field) return false
  field.focus()
  return document.activeElement === field
}

/** The button Enter presses in a dialog: its footer's primary (or danger) button. */
export function submitButton(dialog: HTMLElement): HTMLButtonElement | null {
  const footer = dialog.querySelector('.el-dialog__footer')
  const buttons = Array.from(footer?.querySelectorAll<HTMLButtonElement>('button.el-button--primary, button.el-button--danger') ?? [])
  return buttons.filter((b) => !b.disabled && !b.classList.contains('is-disabled') && !b.classList.contains('is-loading')).pop() ?? null
}

export function onDialogKeydown(event: KeyboardEvent): void {
  if (event.key !== 'Enter' || event.isComposing || event.keyCode === 229 || event.defaultPrevented) return
  if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return
  const target = event.target as HTMLElement | null
  if (!(target instanceof HTMLInputElement)) return // a textarea keeps its new line, a button its click
  if (['checkbox', 'radio', 'button', 'submit', 'file'].includes(target.type)) return
  if (target.closest(OWN_ENTER)) return
  const dialog = target.closest<HTMLElement>('.el-dialog')
  if (!dialog) return
  // A form with a submit button submits itself on Enter (the browser's implicit submission).
  if (target.form && target.form.querySelector('button[type=submit]')) return
  const button = submitButton(dialog)
  if (!button) return
  event.preventDefault()
  button.click()
}

function openDialogs(root: ParentNode): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>('.el-dialog')).filter(visible)
}

/** How long a dialog's content may take to arrive (a form waiting for its choices on a
 * slow connection or a busy machine) and still get the focus: 25 tries, 120 ms apart. */
const FOCUS_TRIES = 25
const FOCUS_RETRY_MS = 120

/** Focus the first field of an open dialog, retrying while its content loads; stops once
 * a field has the focus (the user's or ours) or the dialog has closed. */
export function focusWhenReady(dialog: HTMLElement): void {
  let tries = 0
  const attempt = () => {
    if (!dialog.isConnected || !visible(dialog) || focusFirstField(dialog) || ++tries >= FOCUS_TRIES) return
    const active = document.activeElement as HTMLElement | null
    if (active && dialog.contains(active) && active.matches('input, textarea, select')) return
    window.setTimeout(attempt, FOCUS_RETRY_MS)
  }
  attempt()
}

/** After a dialog's opening animation: focus its first field. */
function onAnimationEnd(event: AnimationEvent): void {
  const target = event.target as HTMLElement | null
  if (!target || !target.classList?.contains('el-overlay-dialog')) return
  for (const dialog of openDialogs(target)) focusWhenReady(dialog)
}

export function installDialogKeyboard(doc: Document = document): void {
  doc.addEventListener('keydown', onDialogKeydown)
  doc.addEventListener('animationend', onAnimationEnd as EventListener)
}
