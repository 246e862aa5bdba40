/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { VitePWA } from 'vite-plugin-pwa'

/** Write .gz and .br beside each JS/CSS file: WhiteNoise serves them to browsers that accept them. */
function precompress(): Plugin {
  return {
    name: 'shanghui-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist'
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|svg|json)$/.test(name)) continue
        const path = join(dir, name)
        const data = readFileSync(path)
        if (data.length < 1024) continue
        writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }))
        writeFileSync(`${path}.br`, brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }))
      }
    },
  }
}

// The built app is served by Django (WhiteNoise serves dist/ at the site root,
// so /assets/* are the hashed, far-future cached files).
export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    precompress(),
    AutoImport({
      resolvers: [ElementPlusResolver()],
      dts: 'src/auto-imports.d.ts',
    }),
    Components({
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: 'src/components.d.ts',
      dirs: [],
    }),
    // The installable app (issue 18): /manifest.webmanifest and /sw.js at the site root.
    // Workbox precaches the app shell and static files; navigations are answered with the
    // cached index.html except on the server's own routes. src/pwa/register.ts registers
    // the worker after the page has loaded and asks before switching to a new version.
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      strategies: 'generateSW',
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['favicon-64x64.png', 'apple-touch-icon.png'],
      manifest: {
        id: '/',
        name: '商慧 CRM',
        short_name: '商慧CRM',
        description: '商慧 CRM：客户、线索、商机与服务 / Shanghui CRM',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: '#409eff',
        background_color: '#f5f7fa',
        icons: [
          { src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/pwa-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/maskable-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,png,svg,ico,woff,woff2,webmanifest}'],
        // The ECharts chunk is the largest file (about 1 MB): the guard only keeps stray files out.
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        navigateFallback: '/index.html',
        // The server's own pages and endpoints are never the app.
        navigateFallbackDenylist: [/^\/(api|admin|static|media|assets|health|docs|f)(\/|$)/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: false,
      },
      devOptions: { enabled: false },
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8000',
      '/admin': 'http://127.0.0.1:8000',
      '/static': 'http://127.0.0.1:8000',
    },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 700,
  },
  test: {
    environment: 'happy-dom',
    server: { deps: { inline: ['element-plus'] } },
    include: ['src/**/*.spec.ts'],
    css: false,
    testTimeout: 30_000,
  },
})
