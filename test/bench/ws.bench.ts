import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

export async function run(): Promise<void> {
  await roundTrip();
}
