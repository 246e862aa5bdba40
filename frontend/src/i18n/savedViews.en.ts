/** Strings of saved list views (issue 20 item 9; merged into the en catalog by i18n/index.ts). */
export default {
  savedViews: {
    button: 'Views',
    defaults_title: 'Default views',
    saved_title: 'Saved views',
    none: 'No saved views yet',
    shared: 'Shared',
    by: 'by {name}',
    save: 'Save as view',
    save_title: 'Save the current filters as a view',
    name: 'View name',
    name_placeholder: 'e.g. Key accounts',
    share: 'Share with my team',
    share_help: 'Team members can use it; only you can change or delete it.',
    saved: 'Saved view "{name}"',
    deleted: 'Deleted view "{name}"',
    delete_confirm: 'Delete view "{name}"?',
    delete: 'Delete',
    applied: 'Applied view "{name}"',
    defaults: {
      mine: 'My {noun}',
      this_week: 'New this week',
    },
  },
}
