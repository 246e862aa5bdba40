/** Approvals, printable documents and the opportunity stage bar (issue 20). */
export default {
  salesDocs: {
    print: '打印',
    pdf: '下载 PDF',
    awaiting_quotes: '待我审批的报价',
    awaiting_contracts: '待我审批的合同',
    confirm_pending: '仍然转移（审批中的报价随商机一并转移）',
    stage: {
      next: '下一步：',
      ready: '可以推进',
      blocked: '受阻：',
      won: '已赢单',
      lost: '已输单',
    },
  },
}
