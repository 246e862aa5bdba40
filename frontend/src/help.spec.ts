import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HELP_CHAPTERS, helpChapter, helpUrl } from './help'
import { resources } from './resources'

// vitest runs in frontend/; the manual's sources are beside it.
const manual = `${resolve(process.cwd(), '..', 'manual')}/`

/** Chapters listed in a MkDocs config's nav (`- Title: chapter.md`). */
function navChapters(config: string): string[] {
  const text = readFileSync(`${manual}${config}`, 'utf8')
  return [...text.matchAll(/:\s*([a-z-]+)\.md\s*$/gm)].map((m) => m[1])
}

describe('help icon chapters', () => {
  it('every chapter of the help map exists in both editions of the manual and in their navigation', () => {
    const zhNav = navChapters('mkdocs.yml')
    const enNav = navChapters('mkdocs.en.yml')
    for (const chapter of new Set(Object.values(HELP_CHAPTERS))) {
      expect(existsSync(`${manual}zh/${chapter}.md`), `manual/zh/${chapter}.md`).toBe(true)
      expect(existsSync(`${manual}en/${chapter}.md`), `manual/en/${chapter}.md`).toBe(true)
      expect(zhNav).toContain(chapter)
      expect(enNav).toContain(chapter)
    }
  })

  it('every page of the web app has a chapter of its own (not the manual home)', () => {
    const paths = ['/dashboard', '/notifications', '/me', '/imports', '/imports/3', '/settings']
    for (const page of ['modules', 'company', 'audit', 'dictionary', 'approval-bands', 'calendar', 'backup', 'usage', 'users']) {
      paths.push(`/settings/${page}`)
    }
    for (const config of Object.values(resources)) {
      paths.push(`/${config.key}`, `/${config.key}/7`)
      for (const v of config.variants ?? []) paths.push(`/${config.key}/${v.key}`)
      for (const p of config.pages ?? []) paths.push(`/${config.key}/${p.key}`)
    }
    const orphans = paths.filter((path) => helpChapter(path) === 'index')
    expect(orphans).toEqual([])
    for (const path of paths) {
      const chapter = helpChapter(path)
      expect(existsSync(`${manual}zh/${chapter}.md`), `${path} -> ${chapter}`).toBe(true)
    }
  })

  it('picks the longest prefix and the reader’s language', () => {
    expect(helpChapter('/leads/12')).toBe('leads')
    expect(helpChapter('/leads/pool')).toBe('leads')
    expect(helpChapter('/settings/modules')).toBe('modules')
    expect(helpChapter('/settings/backup?x=1')).toBe('backup')
    expect(helpChapter('/settings/audit')).toBe('settings')
    expect(helpChapter('/')).toBe('first-steps')
    expect(helpUrl('/contracts/5', 'zh-CN')).toBe('/docs/contracts/')
    expect(helpUrl('/contracts/5', 'en')).toBe('/docs/en/contracts/')
  })
})
