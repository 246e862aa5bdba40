import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import salesZhCN from './sales.zh-CN'
import marketingZhCN from './marketing.zh-CN'
import activitiesZhCN from './activities.zh-CN'
import settingsZhCN from './settings.zh-CN'
import settingsEditorsZhCN from './settingsEditors.zh-CN'
import officeZhCN from './office.zh-CN'
import careTargetsZhCN from './careTargets.zh-CN'
import messagingZhCN from './messaging.zh-CN'
import customersZhCN from './customers.zh-CN'
import salesDocsZhCN from './salesDocs.zh-CN'
import adminOpsZhCN from './adminOps.zh-CN'
import userImportZhCN from './userImport.zh-CN'
import savedViewsZhCN from './savedViews.zh-CN'
import offlineZhCN from './offline.zh-CN'
import helpZhCN from './help.zh-CN'
import { setApiLanguage } from '@/api/client'

export type UiLocale = 'zh-CN' | 'en'
const STORAGE_KEY = 'shanghui.lang'

/** API language codes ('zh-hans' | 'en') <-> UI locales. */
export const toApiLanguage = (locale: string): 'en' | 'zh-hans' => (locale === 'en' ? 'en' : 'zh-hans')
export const fromApiLanguage = (lang: string | null | undefined): UiLocale => (lang === 'en' ? 'en' : 'zh-CN')

function initialLocale(): UiLocale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (saved === 'en' || saved === 'zh-CN') return saved
  } catch {
    /* storage may be unavailable */
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  // English is a chunk of its own, loaded when chosen.
  messages: { 'zh-CN': zhCN } as Record<UiLocale, typeof zhCN>,
  missingWarn: false,
  fallbackWarn: false,
})

// Module catalogs kept in files of their own, merged (deeply) into the main ones.
i18n.global.mergeLocaleMessage('zh-CN', salesZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', marketingZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', activitiesZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', settingsZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', settingsEditorsZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', officeZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', careTargetsZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', messagingZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', customersZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', salesDocsZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', adminOpsZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', userImportZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', savedViewsZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', offlineZhCN as never)
i18n.global.mergeLocaleMessage('zh-CN', helpZhCN as never)

setApiLanguage(toApiLanguage(i18n.global.locale.value))

async function ensureMessages(locale: UiLocale): Promise<void> {
  if (locale === 'en' && !i18n.global.availableLocales.includes('en')) {
    const en = (await import('./en')).default
    i18n.global.setLocaleMessage('en', en as typeof zhCN)
    i18n.global.mergeLocaleMessage('en', (await import('./adminOps.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./userImport.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./sales.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./marketing.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./activities.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./settings.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./settingsEditors.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./office.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./careTargets.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./messaging.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./customers.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./salesDocs.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./savedViews.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./mobile.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./offline.en')).default as never)
    i18n.global.mergeLocaleMessage('en', (await import('./help.en')).default as never)
  }
}

/** Load the messages of the language chosen earlier in this browser (before mounting). */
export function loadInitialLocale(): Promise<void> {
  return ensureMessages(i18n.global.locale.value as UiLocale)
}

/** Switch the UI language (remembered in this browser). */
export async function applyLocale(locale: UiLocale): Promise<void> {
  await ensureMessages(locale)
  i18n.global.locale.value = locale
  setApiLanguage(toApiLanguage(locale))
  document.documentElement.lang = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    /* ignore */
  }
}

/** A translation with a fallback when the key is missing. */
export function tOr(key: string, fallback: string, params?: Record<string, unknown>): string {
  const t = i18n.global.t as (k: string, p?: Record<string, unknown>) => string
  return i18n.global.te(key) || i18n.global.te(key, 'zh-CN') ? t(key, params ?? {}) : fallback
}
