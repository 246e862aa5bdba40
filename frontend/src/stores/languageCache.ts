/**
 * A list the API labels in the UI language (process states, field choices):
 * loaded on first use and again when the language changes, kept reactive so
 * labels fill in once it arrives; a failed load is retried on the next use.
 */
import { reactive } from 'vue'
import { i18n } from '@/i18n'

export interface LanguageCache<T> {
  /** the data for the current UI language (`empty` until loaded); starts the load when needed */
  current(): T
  /** load for the current UI language (once per language) */
  load(): Promise<void>
  /** use this data for `language` (tests) */
  set(data: T, language?: string): void
}

export function languageCache<T extends object>(fetchData: () => Promise<T>, empty: T): LanguageCache<T> {
  const state = reactive({ language: '', data: empty }) as { language: string; data: T }
  let loading: { language: string; promise: Promise<void> } | null = null
  const uiLanguage = () => String(i18n.global.locale.value)

  function set(data: T, language = uiLanguage()): void {
    state.data = data
    state.language = language
  }

  function load(): Promise<void> {
    const language = uiLanguage()
    if (state.language === language) return Promise.resolve()
    if (loading?.language === language) return loading.promise
    const promise: Promise<void> = fetchData()
      .then((data) => set(data, language))
      .catch(() => undefined)
      .finally(() => {
        if (loading?.promise === promise) loading = null
      })
    loading = { language, promise }
    return promise
  }

  function current(): T {
    if (state.language !== uiLanguage()) void load()
    return state.data
  }

  return { current, load, set }
}
