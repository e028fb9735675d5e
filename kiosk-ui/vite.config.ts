import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { phraseTablePlugin } from './build/phrase-table.ts';
import { divisionsPlugin } from './build/divisions.ts';
import { serviceWorkerPlugin } from './build/service-worker.ts';

/**
 * Fontsource CSS lists a `.woff` fallback beside every `.woff2`. Chromium (the only browser the
 * kiosk runs) always takes the woff2, so drop the fallback and keep ~4.7 MB per weight out of dist.
 */
function woff2Only(): Plugin {
  return {
    name: 'onevisit:woff2-only',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('@fontsource') || !id.endsWith('.css')) return null;
      return { code: code.replace(/,\s*url\([^)]*\.woff\) format\('woff'\)/g, ''), map: null };
    },
  };
}

export default defineConfig({
  plugins: [woff2Only(), svelte(), phraseTablePlugin(), divisionsPlugin(), serviceWorkerPlugin()],
  build: {
    target: 'es2022',
    // The agent serves dist/ from the terminal itself; no CDN, no external URLs.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: { host: '127.0.0.1' },
});
