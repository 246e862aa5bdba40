import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { resources } from '@/resources'
import { useSession } from '@/stores/session'

const Browse = () => import('@/components/BrowsePage.vue')
const Card = () => import('@/components/CardPage.vue')

const resourceRoutes: RouteRecordRaw[] = []
for (const config of Object.values(resources)) {
  for (const variant of config.variants ?? []) {
    resourceRoutes.push({
      path: `${config.key}/${variant.key}`,
      name: `${config.key}-${variant.key}`,
      component: Browse,
      props: { resourceKey: config.key, variantKey: variant.key },
      meta: { code: `${config.module}.view` },
    })
  }
  resourceRoutes.push(
    {
      path: config.key,
      name: `${config.key}-browse`,
      component: Browse,
      props: { resourceKey: config.key },
      meta: { code: `${config.module}.view` },
    },
    {
      path: `${config.key}/:id(\\d+)`,
      name: `${config.key}-card`,
      component: Card,
      props: (route) => ({ resourceKey: config.key, id: Number(route.params.id) }),
      meta: { code: `${config.module}.view` },
    },
  )
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true } },
  { path: '/signup', name: 'signup', component: () => import('@/pages/SignupPage.vue'), meta: { public: true } },
  { path: '/invite/:token', name: 'invite', component: () => import('@/pages/AcceptInvitePage.vue'), props: true, meta: { public: true } },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/pages/HomePage.vue') },
      {
        path: 'opportunities/board',
        name: 'opportunities-board',
        component: () => import('@/pages/OpportunityBoard.vue'),
        meta: { code: 'sales.opportunity.view' },
      },
      {
        path: 'customers/quick-create',
        name: 'customers-quick-create',
        component: () => import('@/pages/QuickCreatePage.vue'),
        meta: { code: 'customers.create' },
      },
      {
        path: 'events/calendar',
        name: 'events-calendar',
        component: () => import('@/pages/CalendarPage.vue'),
        meta: { code: 'activities.event.view' },
      },
      {
        path: 'care-rules/calendar',
        name: 'care-calendar',
        component: () => import('@/pages/CareCalendarPage.vue'),
        meta: { code: 'care.calendar' },
      },
      {
        path: 'mass-sends/compose',
        name: 'mass-sends-compose',
        component: () => import('@/pages/messaging/MassSendComposer.vue'),
        meta: { code: 'messaging.mass_send.create' },
      },
      {
        path: 'targets/report',
        name: 'targets-report',
        component: () => import('@/pages/TargetsPage.vue'),
        meta: { code: 'targets.report' },
      },
      {
        path: 'dashboard/customers',
        name: 'customer-reports',
        component: () => import('@/pages/CustomerReportsPage.vue'),
        meta: { code: 'reports.customers' },
      },
      {
        path: 'dashboard/marketing',
        name: 'marketing-reports',
        component: () => import('@/pages/MarketingReportsPage.vue'),
        meta: { code: 'marketing.reports' },
      },
      ...resourceRoutes,
      { path: 'imports', name: 'imports', component: () => import('@/pages/ImportWizard.vue'), meta: { code: 'imports.view' } },
      {
        path: 'imports/:id(\\d+)',
        name: 'import-job',
        component: () => import('@/pages/ImportWizard.vue'),
        props: (route) => ({ id: Number(route.params.id) }),
        meta: { code: 'imports.view' },
      },
      { path: 'dashboard', name: 'dashboard', component: () => import('@/pages/DashboardPage.vue') },
      { path: 'notifications', name: 'notifications', component: () => import('@/pages/NotificationsPage.vue') },
      { path: 'settings', name: 'settings', component: () => import('@/pages/SettingsPage.vue') },
      { path: 'settings/modules', name: 'settings-modules', component: () => import('@/pages/settings/ModulesPage.vue') },
      { path: 'settings/company', name: 'settings-company', component: () => import('@/pages/settings/CompanyPage.vue') },
      { path: 'settings/audit', name: 'settings-audit', component: () => import('@/pages/settings/AuditPage.vue') },
      { path: 'settings/dictionary', name: 'settings-dictionary', component: () => import('@/pages/settings/DictionaryPage.vue') },
      { path: 'settings/approval-bands', name: 'settings-approval-bands', component: () => import('@/pages/settings/ApprovalBandsPage.vue'), meta: { code: 'sales.approval_band.view' } },
      { path: 'settings/calendar', name: 'settings-calendar', component: () => import('@/pages/settings/WorkingCalendarPage.vue'), meta: { code: 'calendar.view' } },
      { path: 'settings/backup', name: 'settings-backup', component: () => import('@/pages/settings/BackupPage.vue'), meta: { code: 'imports.backup' } },
      { path: 'settings/usage', name: 'settings-usage', component: () => import('@/pages/settings/UsagePage.vue'), meta: { code: 'reports.usage' } },
      { path: 'settings/users', name: 'settings-users', component: () => import('@/pages/settings/UsersAdminPage.vue'), meta: { code: 'users.view' } },
      { path: 'me', name: 'me', component: () => import('@/pages/MePage.vue') },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/pages/NotFound.vue') },
    ],
  },
]

export const router = createRouter({ history: createWebHistory('/'), routes })

router.beforeEach(async (to) => {
  const session = useSession()
  if (!session.loaded) await session.load()
  if (to.meta.public) {
    return session.me && (to.name === 'login' || to.name === 'signup') ? { name: 'home' } : true
  }
  if (!session.me) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  // A page of a module the company switched off: the not-found page, at the same address.
  if (to.name !== 'not-found' && session.hidden(to.path)) {
    return { name: 'not-found', params: { pathMatch: to.path.split('/').filter(Boolean) }, query: to.query, hash: to.hash }
  }
  return true
})
