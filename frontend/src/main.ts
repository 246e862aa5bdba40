import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { i18n, loadInitialLocale } from './i18n'
import { installDialogKeyboard } from './keyboard/dialogs'
import './styles/main.css'
import './styles/print.css'
import './phone/phone.css'

const app = createApp(App)
app.use(createPinia())
app.use(i18n)
app.use(router)
installDialogKeyboard()
void loadInitialLocale().then(() => app.mount('#app'))

// The installable app's service worker (issue 18): its small module is fetched after the
// page has loaded, in production builds only (the dev server has no /sw.js).
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  const register = () => void import('./pwa/register').then((m) => m.registerServiceWorker())
  if (document.readyState === 'complete') register()
  else window.addEventListener('load', register, { once: true })
}
