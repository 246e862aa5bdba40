import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { i18n } from '@/i18n'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'
import { complaints } from '@/resources/service'
import { field } from '@/resources'
import SlaCountdown from './SlaCountdown.vue'
import FieldValue from './FieldValue.vue'
import { pickClock, slaState, TICK_MS } from './sla'

const T0 = new Date('2026-03-02T09:00:00+08:00').getTime()
const at = (ms: number) => new Date(T0 + ms).toISOString()
const MIN = 60_000
const HOUR = 60 * MIN

function mountCountdown(props: { due: string | null; done?: string | null; label?: string; warnMinutes?: number }) {
  return mount(SlaCountdown, { props, global: { plugins: [i18n] } })
}

beforeEach(() => {
  // Only the clock and the interval: promises and Vue's scheduler keep running.
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
  vi.setSystemTime(T0)
  i18n.global.locale.value = 'zh-CN'
})

enableAutoUnmount(afterEach)
afterEach(() => {
  vi.useRealTimers()
})

describe('SlaCountdown', () => {
  it('counts down from ok to close to overdue as time passes', async () => {
    const wrapper = mountCountdown({ due: at(5 * HOUR), label: 'sla.acknowledge' })
    const el = () => wrapper.get('[data-testid="sla-countdown"]')
    expect(el().attributes('data-state')).toBe('ok')
    expect(el().classes()).toContain('sla-ok')
    expect(el().text()).toBe('确认剩余 5小时0分')
    expect(el().attributes('title')).toContain('截止时间')

    // 1 h 59 min left: inside the two-hour warning window (amber).
    vi.advanceTimersByTime(3 * HOUR + MIN)
    await nextTick()
    expect(el().attributes('data-state')).toBe('close')
    expect(el().classes()).toContain('sla-close')
    expect(el().text()).toBe('确认剩余 1小时59分')

    // One minute past the deadline: overdue (red).
    vi.advanceTimersByTime(2 * HOUR)
    await nextTick()
    expect(el().attributes('data-state')).toBe('overdue')
    expect(el().classes()).toContain('sla-overdue')
    expect(el().text()).toBe('确认已超时 1分钟')

    vi.advanceTimersByTime(26 * HOUR)
    await nextTick()
    expect(el().text()).toBe('确认已超时 1天2小时')
    wrapper.unmount()
  })

  it('refreshes on its own timer and stops it when unmounted', async () => {
    const one = mountCountdown({ due: at(10 * MIN) })
    const two = mountCountdown({ due: at(20 * MIN) })
    expect(vi.getTimerCount()).toBe(1) // one shared timer for every countdown
    vi.advanceTimersByTime(TICK_MS * 4) // one minute
    await nextTick()
    expect(one.text()).toContain('9分钟')
    one.unmount()
    expect(vi.getTimerCount()).toBe(1)
    two.unmount()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('shows a stopped clock as met in time, or as late in red', () => {
    const met = mountCountdown({ due: at(HOUR), done: at(30 * MIN), label: 'sla.resolve' })
    expect(met.get('[data-testid="sla-countdown"]').attributes('data-state')).toBe('met')
    expect(met.text()).toBe('解决按时完成')
    const late = mountCountdown({ due: at(HOUR), done: at(90 * MIN), label: 'sla.resolve' })
    const el = late.get('[data-testid="sla-countdown"]')
    expect(el.attributes('data-state')).toBe('late')
    expect(el.classes()).toContain('sla-late')
    expect(el.text()).toBe('解决超时 30分钟 完成')
    const none = mountCountdown({ due: null })
    expect(none.get('[data-testid="sla-countdown"]').attributes('data-state')).toBe('none')
    met.unmount()
    late.unmount()
    none.unmount()
  })

  it('speaks English too', async () => {
    i18n.global.locale.value = 'en'
    i18n.global.setLocaleMessage('en', en as never)
    const wrapper = mountCountdown({ due: at(-(2 * HOUR + 5 * MIN)), label: 'sla.resolve' })
    expect(wrapper.text()).toBe('Resolve: overdue by 2h 5m')
    wrapper.unmount()
  })
})

describe('SLA clocks of a complaint', () => {
  const sla = field(complaints, 'sla')

  it('picks the running clock, else the last stopped one', () => {
    const received = { acknowledge_due_at: at(HOUR), acknowledged_at: null, resolve_due_at: null, resolved_at: null }
    expect(pickClock(sla, received)).toEqual({ due: at(HOUR), done: null, label: 'sla.acknowledge' })
    const investigating = { ...received, acknowledged_at: at(MIN), resolve_due_at: at(8 * HOUR) }
    expect(pickClock(sla, investigating)).toMatchObject({ due: at(8 * HOUR), done: null, label: 'sla.resolve' })
    const resolved = { ...investigating, resolved_at: at(9 * HOUR) }
    expect(pickClock(sla, resolved)).toMatchObject({ due: at(8 * HOUR), done: at(9 * HOUR), label: 'sla.resolve' })
    expect(pickClock(sla, {})).toEqual({ due: null, done: null })
  })

  it('classifies the warning window by minutes left', () => {
    expect(slaState(at(121 * MIN), null, T0).state).toBe('ok')
    expect(slaState(at(120 * MIN), null, T0).state).toBe('close')
    expect(slaState(at(0), null, T0).state).toBe('overdue')
    expect(slaState(at(30 * MIN), null, T0, 15).state).toBe('ok')
  })

  it('is what a complaint row shows in its SLA column', () => {
    const row = { id: 1, acknowledge_due_at: at(-3 * MIN), acknowledged_at: null, resolve_due_at: null, resolved_at: null }
    const wrapper = mount(FieldValue, { props: { field: sla, record: row }, global: { plugins: [i18n], stubs: { 'router-link': true } } })
    const el = wrapper.get('[data-testid="sla-countdown"]')
    expect(el.attributes('data-state')).toBe('overdue')
    expect(el.text()).toBe('确认已超时 3分钟')
    wrapper.unmount()
  })
})

describe('service catalogs', () => {
  function keys(value: unknown, prefix = ''): string[] {
    if (value === null || typeof value !== 'object') return [prefix]
    return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
  }
  const pick = (messages: Record<string, unknown>) =>
    ['sla', 'service', 'dashboard'].flatMap((group) => keys(messages[group], group)).sort()

  it('has every service, SLA and dashboard string in both languages', () => {
    const zh = pick(zhCN as Record<string, unknown>)
    expect(zh.length).toBeGreaterThan(80)
    expect(pick(en as Record<string, unknown>)).toEqual(zh)
    // Statuses, kinds and severities are not here: their labels come from the API.
    for (const group of ['satisfaction']) {
      const zhEnum = keys((zhCN.enums as Record<string, unknown>)[group], group).sort()
      expect(zhEnum.length).toBeGreaterThan(2)
      expect(keys(((en as Record<string, unknown>).enums as Record<string, unknown>)[group], group).sort()).toEqual(zhEnum)
    }
  })
})
