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
}
