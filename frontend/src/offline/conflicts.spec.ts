import { describe, expect, it } from 'vitest'
import type { OutboxOp } from './db'
import { conflictFields, resolution, serverVersion } from './conflicts'

const op = (data: Record<string, unknown>, extra: Partial<OutboxOp> = {}): OutboxOp => ({
  id: 'u1',
  op: 'update',
  collection: 'leads',
  record: 5,
  base_version: 1,
  data,
  label: '张三',
  createdAt: 0,
  state: 'conflict',
  ...extra,
})

describe('conflicts of an offline edit', () => {
  const server = { id: 5, phone: '333', email: 's@x.cn', version: 4 }

  it('reads the conflicting fields whatever shape the server answers', () => {
    const mine = op({ phone: '222', email: 'm@x.cn', company: '乙' })
    const expected = [
      { field: 'phone', mine: '222', theirs: '333' },
      { field: 'email', mine: 'm@x.cn', theirs: 's@x.cn' },
    ]
    expect(conflictFields(mine, { conflicts: ['phone', 'email'], record: server })).toEqual(expected)
    expect(conflictFields(mine, { conflicts: { phone: '333', email: 's@x.cn' }, record: null })).toEqual(expected)
    expect(conflictFields(mine, { conflicts: { phone: { client: '222', server: '333' }, email: { mine: 'm@x.cn', theirs: 's@x.cn' } }, record: null })).toEqual(expected)
    // The server's record wins over the detail (it is the value now stored).
    expect(conflictFields(mine, { conflicts: { phone: { server: 'old' } }, record: server })[0].theirs).toBe('333')
  })

  it('takes the server version from the answer or its record', () => {
    expect(serverVersion({ version: 7, record: server })).toBe(7)
    expect(serverVersion({ record: server })).toBe(4)
    expect(serverVersion({ record: null })).toBeNull()
  })

  it('resolves per field: mine is sent on the server version, theirs is left out, other fields merge', () => {
    const mine = op(
      { phone: '222', email: 'm@x.cn', company: '乙' },
      {
        serverVersion: 4,
        conflicts: [
          { field: 'phone', mine: '222', theirs: '333' },
          { field: 'email', mine: 'm@x.cn', theirs: 's@x.cn' },
        ],
      },
    )
    expect(resolution(mine, { phone: 'mine', email: 'theirs' })).toEqual({
      op: 'update',
      collection: 'leads',
      record: 5,
      base_version: 4,
      data: { phone: '222', company: '乙' },
      label: '张三',
    })
    // Unchosen fields default to the user's own value.
    expect(resolution(mine, {})?.data).toEqual({ phone: '222', email: 'm@x.cn', company: '乙' })
    // Theirs everywhere: nothing left to send.
    expect(resolution(mine, { phone: 'theirs', email: 'theirs' })).toBeNull()
  })
})
