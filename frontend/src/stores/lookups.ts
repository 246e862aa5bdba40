/**
 * Cached option lists and record labels used by forms, filters and cells:
 * dictionary items per kind, the company's users, and "#id" -> title of
 * records of other resources (batched per resource, cached for the session).
 */
import { reactive } from 'vue'
import { api } from '@/api/collections'
import * as lookups from '@/api/lookups'
import { recordTitle, resources } from '@/resources'

export interface Option {
  value: number | string
  label: string
}

const dictCache = new Map<string, Promise<Option[]>>()
let usersPromise: Promise<Option[]> | null = null
let codesPromise: Promise<lookups.PermissionCode[]> | null = null

export function dictionaryOptions(kind: string): Promise<Option[]> {
  let hit = dictCache.get(kind)
  if (!hit) {
    hit = lookups
      .dictionaryItems(kind)
      .then((items) => items.map((i) => ({ value: i.id, label: i.label })))
      .catch(() => [])
    dictCache.set(kind, hit)
  }
  return hit
}

/** Forget the cached values of a kind (all kinds without one): the dictionary editor changed them. */
export function clearDictionaryCache(kind?: string): void {
  if (kind === undefined) dictCache.clear()
  else dictCache.delete(kind)
}

export function userOptions(): Promise<Option[]> {
  if (!usersPromise) {
    usersPromise = lookups
      .activeUsers()
      .then((users) => users.map((u) => ({ value: u.id, label: u.full_name || u.username })))
      .catch(() => [])
  }
  return usersPromise
}

/** Names of the company's users by id (for user fields the API sends without a display name). */
const userLabels = reactive<Record<string, string>>({})
let userLabelsLoaded = false

export function userLabel(id: unknown): string | undefined {
  if (id === null || id === undefined || id === '') return undefined
  if (!userLabelsLoaded) {
    userLabelsLoaded = true
    void userOptions().then((options) => options.forEach((o) => (userLabels[String(o.value)] = o.label)))
  }
  return userLabels[String(id)]
}

export function permissionCodes(): Promise<lookups.PermissionCode[]> {
  if (!codesPromise) {
    codesPromise = lookups.permissionCodes().catch(() => [])
  }
  return codesPromise
}

/** Labels of records of other resources, by `${resource}:${id}`. */
export const refLabels = reactive<Record<string, string>>({})
const pending = new Map<string, Promise<void>>()

export function refLabel(resourceKey: string, id: number | string | null | undefined): string | undefined {
  if (id === null || id === undefined || id === '') return undefined
  const key = `${resourceKey}:${id}`
  if (!(key in refLabels) && !pending.has(key)) {
    const config = resources[resourceKey]
    if (!config) return undefined
    const p = api
      .get(config.endpoint, id)
      .then((record) => {
        refLabels[key] = recordTitle(config, record)
      })
      .catch(() => {
        refLabels[key] = `#${id}`
      })
      .finally(() => pending.delete(key))
    pending.set(key, p)
  }
  return refLabels[key]
}

export function rememberLabel(resourceKey: string, id: number | string, label: string): void {
  refLabels[`${resourceKey}:${id}`] = label
}

/** Forget cached lists (after the language or the company data changed). */
export function resetLookups(): void {
  dictCache.clear()
  usersPromise = null
  codesPromise = null
  userLabelsLoaded = false
}
