/** The system settings pages (modules on and off). */
export default {
  modules: {
    title: 'Modules',
    hint: 'A module switched off is hidden from the menu, the pages and the API, and its reminders wait; its data stays and comes back when it is switched on again.',
    locked: 'Always on',
    on: 'On',
    off: 'Off',
    confirm_off: 'Switch off "{name}"? Nobody in the company will see its menu, pages, reports or reminders (the data stays).',
    confirm_on: 'Switch on "{name}"? Users with the rights will see it again.',
    confirm_title: 'Switch module',
    saved: 'Modules saved',
    open: 'Modules',
  },
  company: {
    title: 'Company profile',
    saved: 'Company profile saved',
    logo: 'Logo',
    remove_logo: 'Remove logo',
    month: 'Month {n}',
    yuan: '1,234.00 yuan',
    open: 'Company profile',
    fields: {
      name: 'Company name',
      short_name: 'Short name',
      credit_code: 'Unified social credit code',
      address: 'Address',
      phone: 'Phone',
      time_zone: 'Time zone',
      fiscal_year_start: 'Fiscal year starts in',
      currency_display: 'Amounts shown as',
    },
  },
}
