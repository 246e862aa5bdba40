import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resources } from '.'

// The API's paths, from the generated schema (vitest runs in frontend/).
const schema = readFileSync(resolve(process.cwd(), 'src/api/schema.d.ts'), 'utf8')
const exportable = new Set(
  [...schema.matchAll(/^\s*"\/api\/v1\/(.+)\/export\/": \{/gm)].map((m) => m[1]),
)

describe('list exports', () => {
  it('every list whose collection the API exports offers the export button, and only those', () => {
    const offered = Object.values(resources).filter((config) => config.export)
    for (const config of offered) {
      expect(exportable, `${config.key} offers an export the API lacks`).toContain(config.endpoint)
    }
    const missing = Object.values(resources)
      .filter((config) => !config.export && exportable.has(config.endpoint))
      .map((config) => config.key)
    expect(missing).toEqual([])
  })
})
