import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * Serves the built kiosk UI (kiosk-ui/dist) with the per-boot token written into
 * index.html, a strict Content-Security-Policy and no caching (a kiosk must never
 * show a stale page after an update, and the token changes every boot).
 */

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.pdf': 'application/pdf',
};

export function mimeType(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Svelte sets style attributes at run time; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "worker-src 'self' blob:",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

const TOKEN_PLACEHOLDER = /<meta\s+name=["']onevisit-token["']\s+content=["'][^"']*["']\s*\/?>/i;

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Writes the token into the page: replaces the placeholder meta, or adds one at the top of <head>. */
export function injectToken(html: string, token: string): string {
  const meta = `<meta name="onevisit-token" content="${escapeAttribute(token)}">`;
  if (TOKEN_PLACEHOLDER.test(html)) return html.replace(TOKEN_PLACEHOLDER, () => meta);
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + meta + html.slice(head.index + head[0].length);
  return meta + html;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>OneVisit</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.6">
<h1>界面尚未构建 · The kiosk UI is not built</h1>
<p>设备代理正在运行，但找不到 <code>kiosk-ui/dist</code>。请运行 <code>npm run build</code>，或用 <code>npm start</code> 启动（会自动构建）。</p>
<p>The device agent is running, but <code>kiosk-ui/dist</code> is missing. Run <code>npm run build</code>, or start with <code>npm start</code>, which builds it when needed.</p>
</body></html>
`;

export type StaticOptions = {
  /** Absolute path of kiosk-ui/dist. */
  distDir: string;
  token: string;
  port: () => number;
};

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer, head: boolean): void {
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'Content-Length': String(buffer.length) });
  res.end(head ? undefined : buffer);
}

function sendText(res: ServerResponse, status: number, port: number, text: string, head: boolean): void {
  send(res, status, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8' }, text, head);
}

/** Resolves a URL path to a file inside `root`, or undefined for anything outside it. */
export async function resolveInside(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const normal = path.posix.normalize(`/${decoded}`);
  if (normal.split('/').some((part) => part === '..')) return undefined;
  const candidate = path.join(root, normal);
  if (candidate !== root && !candidate.startsWith(root + path.sep)) return undefined;
  try {
    const [real, realRoot] = await Promise.all([realpath(candidate), realpath(root)]);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return undefined;
    const info = await stat(real);
    return info.isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

export function createStaticHandler(options: StaticOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const root = path.resolve(options.distDir);
  return async (req, res) => {
    const port = options.port();
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      send(res, 405, { ...securityHeaders(port), Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }, 'Method not allowed.\n', false);
      return;
    }
    const urlPath = (req.url ?? '/').split('?')[0]?.split('#')[0] ?? '/';
    const indexFile = path.join(root, 'index.html');
    const wantsIndex = urlPath === '/' || urlPath === '/index.html' || !path.posix.basename(urlPath).includes('.');
    if (wantsIndex) {
      let html: string;
      try {
        html = await readFile(indexFile, 'utf8');
      } catch {
        // The token goes in here too, so tools and tests can connect before the UI is built.
        send(res, 503, { ...securityHeaders(port), 'Content-Type': 'text/html; charset=utf-8' }, injectToken(NOT_BUILT_PAGE, options.token), head);
        return;
      }
      send(res, 200, { ...securityHeaders(port), 'Content-Type': 'text/html; charset=utf-8' }, injectToken(html, options.token), head);
      return;
    }
    const file = await resolveInside(root, urlPath);
    if (!file) {
      sendText(res, 404, port, 'Not found.\n', head);
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      sendText(res, 404, port, 'Not found.\n', head);
      return;
    }
    send(res, 200, { ...securityHeaders(port), 'Content-Type': mimeType(file) }, body, head);
  };
}
