import { describe, expect, it } from 'vitest'

/**
 * Every request of the app goes through the typed client of src/api/: no page,
 * component, store or resource config calls fetch() or builds an /api/v1 URL
 * of its own (a string-built URL escapes the schema's types). Tests are exempt:
 * they assert the URLs the client sends.
 */
const sources = import.meta.glob('../**/*.{ts,vue}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>

// Keys are relative to this file: './x.ts' is src/api/x.ts, '../pages/x.vue' is src/pages/x.vue.
const checked = Object.entries(sources).filter(
  ([path]) => path.startsWith('../') && !path.startsWith('../test/') && !path.endsWith('.spec.ts') && !path.endsWith('.d.ts'),
)

function offending(pattern: RegExp): string[] {
  const out: string[] = []
  for (const [path, text] of checked) {
    text.split('\n').forEach((line, i) => {
      if (pattern.test(line)) out.push(`${path.slice(3)}:${i + 1}: ${line.trim()}`)
    })
  }
  return out
}

describe('the API boundary', () => {
  it('sees the whole app', () => {
    expect(checked.length).toBeGreaterThan(50)
    expect(checked.some(([path]) => path === '../resources/index.ts')).toBe(true)
  })

  it('has no fetch(), XMLHttpRequest or axios outside src/api/', () => {
    expect(offending(/\bfetch\s*\(|XMLHttpRequest|\baxios\b/)).toEqual([])
  })

  it('has no /api/ URL outside src/api/', () => {
    expect(offending(/\/api\/(v\d|schema)/)).toEqual([])
  })
})
