import { describe, expect, it } from 'vitest';
import { precacheManifest } from './service-worker.ts';

describe('the precache manifest of a build', () => {
  const files = new Map<string, string>([
    ['index.html', '<html></html>'],
    ['assets/index-A.js', 'code'],
    ['assets/index-B.css', 'css'],
    ['assets/noto-400-C.woff2', 'font'],
    ['assets/index-A.js.map', 'map'],
    ['sw.js', 'worker'],
  ]);

  it('lists the page, JS, CSS and fonts, not maps and not the worker itself', () => {
    expect(precacheManifest(files).urls).toEqual(['/assets/index-A.js', '/assets/index-B.css', '/assets/noto-400-C.woff2', '/']);
  });

  it('changes its version when any kept file changes, so a new build replaces the cache', () => {
    const before = precacheManifest(files).version;
    expect(precacheManifest(new Map(files)).version).toBe(before);
    expect(precacheManifest(new Map([...files, ['assets/index-A.js', 'code2']])).version).not.toBe(before);
    expect(precacheManifest(new Map([...files, ['index.html', '<html lang="en"></html>']])).version).not.toBe(before);
  });
});
