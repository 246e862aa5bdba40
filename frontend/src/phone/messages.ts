import { i18n } from '@/i18n'

/**
 * The phone layout's and the update prompt's strings (issue 18) are not part
 * of the app shell's catalog: a desktop list page never shows them. They are
 * merged when a phone-sized window or the update prompt needs them; English
 * comes with the English catalog (i18n/index.ts).
 */
let loading: Promise<void> | null = null

export function loadMobileMessages(): Promise<void> {
  loading ??= import('@/i18n/mobile.zh-CN').then(({ default: zh }) => {
    i18n.global.mergeLocaleMessage('zh-CN', zh as never)
  })
  return loading
}
