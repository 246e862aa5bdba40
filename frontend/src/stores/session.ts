import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as account from '@/api/account'
import { listModules } from '@/api/modules'
import type { Me } from '@/api/types'
import { applyLocale, fromApiLanguage, i18n, toApiLanguage, type UiLocale } from '@/i18n'
import { isNetworkError } from '@/offline/network'
import { forgetMe, offlineMe, rememberMe } from '@/offline/session'

export type { Me }

/** The signed-in user: who, which company, which permission codes. */
export const useSession = defineStore('session', () => {
  const me = ref<Me | null>(null)
  const loaded = ref(false)
  const codes = computed(() => new Set(me.value?.permissions ?? []))

  function can(code: string): boolean {
    return codes.value.has(code)
  }

  /** The pages of the modules the company switched off (they answer "not found"). */
  const hiddenPaths = ref<string[]>([])

  function hidden(path: string): boolean {
    return hiddenPaths.value.some((p) => path === p || path.startsWith(`${p}/`))
  }

  async function adopt(user: Me | null): Promise<void> {
    if (user?.language) await applyLocale(fromApiLanguage(user.language))
    let paths: string[] = []
    if (user?.modules_off?.length) {
      try {
        paths = (await listModules()).filter((m) => !m.enabled).flatMap((m) => m.paths)
      } catch {
        paths = []
      }
    }
    hiddenPaths.value = paths
    if (user) rememberMe(user)
    me.value = user
    loaded.value = true
  }

  /** Load the current user (null when not signed in). */
  async function load(): Promise<Me | null> {
    let user: Me | null = null
    try {
      user = await account.getMe()
    } catch (error) {
      // Without a network the installed app opens as the user last signed in here (issue 18).
      user = isNetworkError(error) ? offlineMe() : null
      if (!user) forgetMe()
    }
    await adopt(user)
    return me.value
  }

  /** GET sets the CSRF cookie; POST signs in with the session. */
  async function ensureCsrf(): Promise<void> {
    await account.ensureCsrf()
  }

  async function login(username: string, password: string): Promise<Me> {
    await ensureCsrf()
    const user = await account.login(username, password)
    await adopt(user)
    // The saved language of the account wins; if none was chosen here, keep it.
    return user
  }

  async function signup(data: { company: string; username: string; password: string; email: string }): Promise<Me> {
    await account.signup(data)
    const user = await login(data.username, data.password)
    // A new account starts in the language the visitor used on the sign-up page.
    const wanted = toApiLanguage(i18n.global.locale.value)
    if (user.language !== wanted) await setLanguage(fromApiLanguage(wanted))
    return me.value as Me
  }

  async function logout(): Promise<void> {
    try {
      await account.logout()
    } finally {
      me.value = null
      forgetMe()
    }
  }

  /** Switch the language and save it in the personal settings. */
  async function setLanguage(locale: UiLocale): Promise<void> {
    await applyLocale(locale)
    if (me.value) {
      const user = await account.updateMe({ language: toApiLanguage(locale) })
      me.value = user
    }
  }

  async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
    await account.changePassword(oldPassword, newPassword)
  }

  function clear(): void {
    me.value = null
    forgetMe()
  }

  return { me, loaded, codes, can, hidden, hiddenPaths, load, login, signup, logout, setLanguage, changePassword, clear, ensureCsrf }
})
