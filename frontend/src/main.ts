import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { i18n, loadInitialLocale } from './i18n'
import './styles/main.css'
import './styles/print.css'

const app = createApp(App)
app.use(createPinia())
app.use(i18n)
app.use(router)
void loadInitialLocale().then(() => app.mount('#app'))
