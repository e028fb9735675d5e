/**
 * What the kiosk's service worker answers (issue 10, "the UI's fonts do not depend on the agent being
 * up"). Pure, so that it is tested without a browser (policy.test.ts); service-worker.ts wires it up.
 *
 * The worker keeps the built UI only: index.html, its JS and CSS, and the Noto Sans SC woff2 chunks.
 * Nothing else the page asks for passes through it (there is nothing else over HTTP today; the agent's
 * API is the WebSocket, which a service worker never sees), so nothing personal can land in its cache.
 */

/** What the build writes into the worker: the files of this build and a version from their contents. */
export type PrecacheManifest = {
  /** A hash of every file of the build: a new build is a new worker with a new cache. */
  readonly version: string;
  /** Paths from the site root, `/` for the page itself, e.g. `/assets/index-D-FfsAmz.js`. */
  readonly urls: readonly string[];
};

export type CachePolicy =
  /** The page: from the agent when it answers (fresh per-boot token), else the cached shell. */
  | 'networkFirst'
  /** A file of this build (content-hashed name): from the cache, never stale. */
  | 'cacheFirst'
  /** Not the worker's business: the browser fetches it as if there were no worker. */
  | 'passThrough';

export const CACHE_PREFIX = 'onevisit-ui-';

export function cacheName(manifest: PrecacheManifest): string {
  return `${CACHE_PREFIX}${manifest.version}`;
}

/** How the worker answers one request of the page. */
export function cachePolicy(request: { readonly url: string; readonly method: string; readonly mode: string }, origin: string, manifest: PrecacheManifest): CachePolicy {
  if (request.method !== 'GET') return 'passThrough';
  const url = new URL(request.url);
  if (url.origin !== origin || url.search !== '') return 'passThrough';
  if (request.mode === 'navigate' || url.pathname === '/' || url.pathname === '/index.html') return 'networkFirst';
  return manifest.urls.includes(url.pathname) ? 'cacheFirst' : 'passThrough';
}

const TOKEN_META = /<meta\s+name=["']onevisit-token["']\s+content=["'][^"']*["']\s*\/?>/i;

/**
 * The page as it is kept: without the agent's per-boot token (a secret of one boot, useless after it,
 * and not to be kept on disk). A page shown from the cache cannot connect with it anyway; when the
 * agent is back, the UI is refused, reloads (kiosk.svelte.ts) and gets the page with the new token.
 */
export function withoutToken(html: string): string {
  return html.replace(TOKEN_META, '<meta name="onevisit-token" content="" />');
}
