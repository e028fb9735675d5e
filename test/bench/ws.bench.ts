import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createAgent } from '../../device-agent/src/app.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { TestClient } from '../integration/client.ts';

const ROUND_TRIPS = 10_000;
const WARM_UP = 500;
const DIST = fileURLToPath(new URL('../../kiosk-ui/dist', import.meta.url));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

async function roundTrip(): Promise<void> {
  const agent = createAgent(defaultConfig({ port: 0, dataDir: mkdtempSync(path.join(tmpdir(), 'onevisit-bench-')) }), { log: silentLogger(), distDir: DIST });
  const { url, token } = await agent.start();
  const client = await TestClient.authenticated(url, token);
  try {
    for (let i = 0; i < WARM_UP; i += 1) await client.send('Common.Status');
    client.clear();
    const samplesMs: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i += 1) {
      const start = process.hrtime.bigint();
      await client.send('Common.Status');
      samplesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (i % 1000 === 999) client.clear();
    }
    samplesMs.sort((a, b) => a - b);
    const mean = samplesMs.reduce((a, b) => a + b, 0) / samplesMs.length;
    const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;
    process.stdout.write(
      `   WebSocket round trip, ${ROUND_TRIPS} sequential Common.Status on loopback (command → ack → completion):\n` +
        `   p50 ${fmt(percentile(samplesMs, 50))}   p99 ${fmt(percentile(samplesMs, 99))}   mean ${fmt(mean)}   max ${fmt(samplesMs.at(-1) ?? Number.NaN)}   (budget: p99 < 5 ms)\n`,
    );
  } finally {
    await client.close();
    await agent.stop();
  }
}

/** The JS that index.html loads at start: module scripts and modulepreloads. */
function initialJsSize(): void {
  const index = path.join(DIST, 'index.html');
  if (!existsSync(index)) {
    process.stdout.write('   UI initial JS: not built (run npm run build)\n');
    return;
  }
  const html = readFileSync(index, 'utf8');
  const refs = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc=["']([^"']+)["'][^>]*>/gi)) if (m[1]) refs.add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*\brel=["']modulepreload["'][^>]*>/gi)) {
    const href = /\bhref=["']([^"']+)["']/i.exec(m[0])?.[1];
    if (href) refs.add(href);
  }
  let raw = 0;
  let gz = 0;
  for (const ref of refs) {
    const file = path.join(DIST, ref.replace(/^\.?\//, '').split('?')[0] ?? '');
    if (!file.startsWith(DIST) || !existsSync(file)) continue;
    const bytes = readFileSync(file);
    raw += bytes.length;
    gz += gzipSync(bytes).length;
  }
  process.stdout.write(
    `   UI initial JS: ${refs.size} file(s), ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip (node:zlib default level)   (budget: < 100 KB gzip)\n`,
  );
}

export async function run(): Promise<void> {
  await roundTrip();
  initialJsSize();
}
