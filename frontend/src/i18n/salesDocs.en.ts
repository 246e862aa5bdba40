/** Approvals, printable documents and the opportunity stage bar (issue 20). */
export default {
  salesDocs: {
    print: 'Print',
    pdf: 'Download PDF',
    awaiting_quotes: 'Quotes waiting for me',
    awaiting_contracts: 'Contracts waiting for me',
    confirm_pending: 'Move them anyway (the quotes waiting for approval go with their opportunities)',
    stage: {
      next: 'Next step: ',
      ready: 'ready',
      blocked: 'Blocked: ',
      won: 'Won',
      lost: 'Lost',
    },
  },
}
