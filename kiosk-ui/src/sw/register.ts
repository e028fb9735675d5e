/**
 * Registers the kiosk's service worker (service-worker.ts, built to /sw.js) once the page has loaded,
 * so that its download of the fonts never competes with the first screen. Only in a build: the vite
 * dev server has no sw.js. http://127.0.0.1 is a secure context, so the browser allows it there.
 */
export function registerServiceWorker(nav: Navigator, built: boolean): void {
  if (!built || !('serviceWorker' in nav)) return;
  const register = (): void => {
    // A worker that fails to install leaves the kiosk as it was without one (fonts from the agent):
    // nothing for the citizen to see or do, so the failure is not shown.
    nav.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch(() => undefined);
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
