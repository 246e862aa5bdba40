/** The processes and field choices as the API lists them (zh-hans), for component tests. */
import type { CollectionChoices } from '@/api/choices'
import type { ProcessInfo } from '@/api/processes'

const p = (name: string, collection: string, states: Array<[string, string]>, steps: Array<[string, string]> = []): ProcessInfo => ({
  name,
  collection,
  field: 'status',
  states: states.map(([value, label]) => ({ value, label })),
  steps: steps.map(([n, label]) => ({ name: n, label })),
})

export const PROCESSES: ProcessInfo[] = [
  p('lead', 'leads', [['new', '新线索'], ['contacted', '已联系'], ['qualified', '已确认'], ['converted', '已转化'], ['disqualified', '无效'], ['pooled', '在公海中']], [['claim', '领取']]),
  p('opportunity', 'opportunities', [['initial', '初步接洽'], ['needs_defined', '需求确认'], ['proposal', '方案报价'], ['negotiation', '商务谈判'], ['won', '赢单'], ['lost', '输单']]),
  p('quote', 'quotes', [['draft', '草稿'], ['submitted', '审批中'], ['approved', '已审批'], ['sent', '已发送客户'], ['accepted', '已接受'], ['rejected', '已拒绝']]),
  p('contract', 'contracts', [['draft', '草稿'], ['pending_approval', '待审批'], ['approved', '已审批'], ['active', '已生效（已签署）'], ['completed', '已完成'], ['terminated', '已终止']]),
  p('installment', 'installments', [['open', '未收齐'], ['collected', '已收齐']]),
  p('payment', 'payments', [['draft', '草稿'], ['confirmed', '已确认'], ['reversed', '已红冲']]),
  p('complaint', 'complaints', [['received', '待受理'], ['acknowledged', '已受理'], ['investigating', '调查中'], ['resolved', '已解决'], ['closed', '已关闭']]),
  p('followup', 'follow-ups', [['planned', '计划中'], ['done', '已完成'], ['missed', '已逾期'], ['cancelled', '已取消']]),
  p('ticket', 'tickets', [['open', '待处理'], ['in_progress', '进行中'], ['resolved', '已解决'], ['closed', '已关闭']]),
  p('project', 'projects', [['planned', '计划中'], ['running', '进行中'], ['accepted', '已验收'], ['cancelled', '已取消']]),
]

/** Some collections' field choices as GET /api/v1/choices/ lists them (zh-hans). */
export const CHOICES: CollectionChoices = {
  customers: { kind: [{ value: 'company', label: '公司' }, { value: 'person', label: '个人' }] },
  activities: {
    kind: [
      { value: 'call', label: '电话' },
      { value: 'visit', label: '拜访' },
      { value: 'meeting', label: '会议' },
      { value: 'email', label: '邮件' },
      { value: 'other', label: '其他' },
    ],
  },
  complaints: {
    severity: [
      { value: 'low', label: '低' },
      { value: 'normal', label: '普通' },
      { value: 'high', label: '高' },
      { value: 'critical', label: '紧急' },
    ],
  },
}
