/**
 * The kiosk's service worker (issue 10): keeps the built UI — the page, its JS and CSS, and every
 * Noto Sans SC woff2 chunk — so that a reload while the agent is down still shows the out-of-service
 * screen in the kiosk's own fonts. Built by vite (build/service-worker.ts) to dist/sw.js with the
 * list of the build's files and a version written in; registered by main.ts.
 *
 * - install: fetches every file of the build into a cache named after the build's version;
 * - activate: deletes the caches of other builds, takes over the open page;
 * - fetch: the page network first (fresh token), the build's files cache first, nothing else touched
 *   (see policy.ts).
 */
import { cacheName, cachePolicy, CACHE_PREFIX, withoutToken, type PrecacheManifest } from './policy.ts';

// The DOM library has Cache and fetch but not the worker's own globals; these are the few it uses.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  readonly location: Location;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}

/** Replaced by the build with this build's manifest (build/service-worker.ts). */
declare const __ONEVISIT_PRECACHE__: PrecacheManifest;

const manifest = __ONEVISIT_PRECACHE__;
const scope = self as unknown as WorkerScope;
const CACHE = cacheName(manifest);

/** The page, fetched from the agent, kept without its token; other files as they are. */
async function precache(): Promise<void> {
  const cache = await caches.open(CACHE);
  await Promise.all(
    manifest.urls.map(async (url) => {
      const response = await fetch(url, { cache: 'no-store' });
      if (!response.ok) throw new Error(`precache: ${url} answered ${response.status}`);
      if (url !== '/') {
        await cache.put(url, response);
        return;
      }
      const headers = new Headers(response.headers);
      headers.delete('Content-Length');
      await cache.put(url, new Response(withoutToken(await response.text()), { status: 200, headers }));
    }),
  );
}

async function dropOtherBuilds(): Promise<void> {
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
  }
}

async function networkFirst(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (error) {
    const cached = await caches.match('/', { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: CACHE });
  return cached ?? fetch(request);
}

scope.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => scope.skipWaiting()));
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(dropOtherBuilds().then(() => scope.clients.claim()));
});

scope.addEventListener('fetch', (event) => {
  const policy = cachePolicy(event.request, scope.location.origin, manifest);
  switch (policy) {
    case 'networkFirst':
      event.respondWith(networkFirst(event.request));
      break;
    case 'cacheFirst':
      event.respondWith(cacheFirst(event.request));
      break;
    case 'passThrough':
      break;
    default: {
      const unreachable: never = policy;
      throw new Error(`unknown cache policy ${String(unreachable)}`);
    }
  }
});
