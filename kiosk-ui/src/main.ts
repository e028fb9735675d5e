import '@fontsource/noto-sans-sc/400.css';
import '@fontsource/noto-sans-sc/700.css';
import './app.css';
import './a11y.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { agentUrl, readPageToken } from './lib/agent/client.ts';
import { Kiosk } from './lib/state/kiosk.svelte.ts';
import { installNavigationGuard } from './lib/navigation-guard.ts';
import { registerServiceWorker } from './sw/register.ts';

installNavigationGuard(window);

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

const kiosk = new Kiosk({
  url: agentUrl(),
  readToken: () => readPageToken(),
  reloadPage: () => location.reload(),
});
mount(App, { target, props: { kiosk } });
kiosk.start();
registerServiceWorker(navigator, import.meta.env.PROD);
