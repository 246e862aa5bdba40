import type zh from './office.zh-CN'

type Same<T> = { [K in keyof T]: T[K] extends string ? string : Same<T[K]> }

/** Strings of the office pages (merged into the en catalog by i18n/index.ts). */
const en: Same<typeof zh> = {
  office: {
    resources: { announcements: 'Announcements' },
    nouns: { announcement: 'announcement' },
    fields: {
      title: 'Title',
      body: 'Body',
      audience: 'Audience',
      teams: 'Teams',
      roles: 'Roles',
      pinned: 'Pinned',
      author: 'Author',
      published_at: 'Published at',
      archived_at: 'Archived at',
      read: 'Read',
    },
    receipts: {
      title: 'Read receipts',
      counts: '{read} read, {unread} not yet',
      read: 'Read',
      unread: 'Not read',
      person: 'Person',
      team: 'Team',
      read_at: 'Read at',
      draft: 'Once published, opening the announcement marks it read for its audience.',
    },
    attachments: {
      title: 'Attachments',
      upload: 'Upload a file',
      none: 'No attachments',
      name: 'File name',
      size: 'Size',
      uploaded_by: 'Uploaded by',
      uploaded_at: 'Uploaded at',
      download: 'Download',
      confirm_delete: 'Delete the attachment "{name}"?',
    },
    workbench: {
      title: 'Workbench',
      more: 'See all',
      empty: 'Nothing here',
      events: "Today's events",
      tasks: 'My tasks',
      overdue: '{n} overdue',
      follow_ups: 'Follow-ups due',
      approvals: 'Waiting for my approval',
      notifications: 'Unread notifications',
      announcements: 'Pinned announcements',
      figures: 'My month',
      new_leads: 'New leads',
      won_amount: 'Won',
      collected: 'Collected',
      quotes: 'Quotes',
      contracts: 'Contracts',
    },
  },
}

export default en
