import { describe, expect, it } from 'vitest';
import { cacheName, cachePolicy, withoutToken, type PrecacheManifest } from './policy.ts';

const ORIGIN = 'http://127.0.0.1:8787';
const MANIFEST: PrecacheManifest = {
  version: 'abc123',
  urls: ['/', '/assets/index-D-FfsAmz.js', '/assets/index-Cb4Hd1YR.css', '/assets/noto-sans-sc-chinese-simplified-400-normal-Bq1.woff2'],
};

function policyOf(url: string, method = 'GET', mode = 'no-cors'): string {
  return cachePolicy({ url, method, mode }, ORIGIN, MANIFEST);
}

describe('the service worker answers the built UI only', () => {
  it('the page is network first (the agent writes a fresh token into it), whatever the navigation path', () => {
    expect(policyOf(`${ORIGIN}/`, 'GET', 'navigate')).toBe('networkFirst');
    expect(policyOf(`${ORIGIN}/index.html`)).toBe('networkFirst');
    expect(policyOf(`${ORIGIN}/booking`, 'GET', 'navigate')).toBe('networkFirst');
  });

  it("the build's JS, CSS and fonts come from the cache", () => {
    for (const url of MANIFEST.urls.slice(1)) expect(policyOf(`${ORIGIN}${url}`)).toBe('cacheFirst');
  });

  it('nothing else passes through it: other files, other origins, queries, non-GET, the WebSocket path', () => {
    expect(policyOf(`${ORIGIN}/assets/other-1234.js`)).toBe('passThrough');
    expect(policyOf(`http://localhost:8787/assets/index-D-FfsAmz.js`)).toBe('passThrough');
    expect(policyOf(`${ORIGIN}/assets/index-D-FfsAmz.js?x=1`)).toBe('passThrough');
    expect(policyOf(`${ORIGIN}/assets/index-D-FfsAmz.js`, 'POST')).toBe('passThrough');
    expect(policyOf(`${ORIGIN}/xfs4iot/v1.0`)).toBe('passThrough');
  });

  it('each build has its own cache', () => {
    expect(cacheName(MANIFEST)).toBe('onevisit-ui-abc123');
    expect(cacheName({ ...MANIFEST, version: 'def456' })).not.toBe(cacheName(MANIFEST));
  });

  it('the kept page has no per-boot token', () => {
    const page = '<head><meta name="onevisit-token" content="s3cr3t-token"><title>x</title></head>';
    expect(withoutToken(page)).not.toContain('s3cr3t-token');
    expect(withoutToken(page)).toContain('<meta name="onevisit-token" content="" />');
  });
});
