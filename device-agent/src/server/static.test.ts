import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, injectToken, mimeType, resolveInside } from './static.ts';

describe('injectToken', () => {
  it('fills the placeholder meta', () => {
    expect(injectToken('<head><meta name="onevisit-token" content=""></head>', 'abc')).toBe('<head><meta name="onevisit-token" content="abc"></head>');
  });
  it('adds the meta at the top of <head> when there is no placeholder', () => {
    expect(injectToken('<html><head lang="zh"><title>x</title></head></html>', 'abc')).toBe(
      '<html><head lang="zh"><meta name="onevisit-token" content="abc"><title>x</title></head></html>',
    );
  });
  it('escapes the token', () => {
    expect(injectToken('<head></head>', 'a"<b')).toContain('content="a&quot;&lt;b"');
  });
});

describe('resolveInside', () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'onevisit-static-'));
  const root = path.join(parent, 'dist');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'assets', 'a.js'), '1');
  writeFileSync(path.join(path.dirname(root), 'outside-secret.txt'), 'secret');
  symlinkSync(path.join(path.dirname(root), 'outside-secret.txt'), path.join(root, 'link.txt'));

  it('finds files inside the root', async () => {
    expect(await resolveInside(root, '/assets/a.js')).toBe(path.join(root, 'assets', 'a.js'));
  });

  it('refuses traversal, encoded traversal, NUL, backslashes, directories and symlinks out', async () => {
    for (const p of ['/../outside-secret.txt', '/assets/%2e%2e/%2e%2e/outside-secret.txt', '/..%2foutside-secret.txt', '/a.js%00', '/assets\\..\\..\\x', '/assets', '/link.txt', '/%E0%A4%A']) {
      expect(await resolveInside(root, p), p).toBeUndefined();
    }
  });
});

describe('headers', () => {
  it('gives correct MIME types and a CSP that allows only this agent', () => {
    expect(mimeType('x.js')).toBe('text/javascript; charset=utf-8');
    expect(mimeType('x.woff2')).toBe('font/woff2');
    expect(mimeType('x.unknown')).toBe('application/octet-stream');
    const csp = contentSecurityPolicy(5846);
    expect(csp).toContain('connect-src \'self\' ws://127.0.0.1:5846 ws://localhost:5846');
    expect(csp).toContain("object-src 'none'");
  });
});
