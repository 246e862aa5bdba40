/**
 * The help icon: which chapter of the user manual (manual/, served at /docs/) explains a page.
 * Keys are path prefixes of the web app's routes; the longest matching prefix wins.
 * Every chapter named here exists in manual/zh/ and manual/en/ (help.spec.ts checks it).
 */
export const HELP_CHAPTERS: Record<string, string> = {
  '/': 'first-steps',
  '/notifications': 'personal',
  '/me': 'personal',
  '/dashboard': 'reports',
  '/targets': 'reports',
  // customers
  '/leads': 'leads',
  '/lead-forms': 'leads',
  '/customers': 'customers',
  '/contacts': 'customers',
  '/customer-groups': 'customers',
  '/assignment-rules': 'customers',
  '/pool-level-rules': 'customers',
  '/care-rules': 'customers',
  '/contact-birthdays': 'customers',
  // sales
  '/products': 'opportunities',
  '/opportunities': 'opportunities',
  '/requirements': 'opportunities',
  '/solutions': 'opportunities',
  '/quotes': 'quotes',
  '/contracts': 'contracts',
  '/payments': 'payments',
  // service
  '/complaints': 'service',
  '/follow-ups': 'service',
  '/tickets': 'service',
  '/projects': 'service',
  '/feedback': 'service',
  // office and activities
  '/activities': 'office',
  '/tasks': 'office',
  '/events': 'office',
  '/plans': 'office',
  '/announcements': 'office',
  // marketing
  '/campaigns': 'marketing',
  '/campaign-members': 'marketing',
  '/marketing-events': 'marketing',
  '/ad-placements': 'marketing',
  '/stock-items': 'marketing',
  '/stock-movements': 'marketing',
  '/stock-receipts': 'marketing',
  '/stock-adjustments': 'marketing',
  '/stock-returns': 'marketing',
  '/requisitions': 'marketing',
  '/message-templates': 'marketing',
  '/mass-sends': 'marketing',
  '/suppressions': 'marketing',
  '/deliveries': 'marketing',
  // administration
  '/imports': 'import',
  '/users': 'roles',
  '/roles': 'roles',
  '/teams': 'roles',
  '/settings': 'settings',
  '/settings/users': 'roles',
  '/settings/modules': 'modules',
  '/settings/backup': 'backup',
  '/channels': 'settings',
  '/webhooks': 'settings',
  '/webhook-deliveries': 'settings',
}

/** The chapter for a route path, e.g. '/leads/12' -> 'leads', '/settings/modules' -> 'modules'. */
export function helpChapter(path: string): string {
  const clean = '/' + path.split(/[?#]/)[0].split('/').filter(Boolean).join('/')
  let best = ''
  for (const prefix of Object.keys(HELP_CHAPTERS)) {
    const matches = prefix === '/' ? true : clean === prefix || clean.startsWith(`${prefix}/`)
    if (matches && prefix.length > best.length) best = prefix
  }
  return HELP_CHAPTERS[best] ?? 'index'
}

/** The manual's address of that chapter in the user's language (zh-CN at /docs/, en at /docs/en/). */
export function helpUrl(path: string, locale: string): string {
  return `/docs/${locale === 'en' ? 'en/' : ''}${helpChapter(path)}/`
}
