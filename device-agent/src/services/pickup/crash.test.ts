/**
 * Pickup crash test (issue 13, modelled on outbox/crash.test.ts): a child process running the
 * pickup service on SQLite against a simulated cabinet whose physical state lives in a file
 * (testing/crash-child.ts) loads and hands out certificates in a loop and is killed with SIGKILL
 * at random moments, many times: while it opens the store and reconciles, just after a door cycle
 * begins (before or after the unlock, with the door open, the item half taken), and between
 * operations. After every restart the child reconciles from the cabinet's sensors, closes any
 * door a crash left open, reconciles again, and checks the store against the physical world:
 * every certificate in a compartment is waiting (or flagged to check), none carried away is
 * waiting again, none was carried away twice, nothing is left half-done; it prints VERIFIED or
 * fails. The test also checks that each run got that far and that pickups really happened.
 *
 * Bounded: ONEVISIT_PICKUP_CRASH_KILLS (default 120) kills or ONEVISIT_PICKUP_CRASH_MS (default 30 s).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleCrashChild, runChildUntilKilled, type KillPlan } from '../../outbox/testing/crash-harness.ts';
import { tempDir } from '../../outbox/testing/fixtures.ts';

const MAX_KILLS = Number(process.env.ONEVISIT_PICKUP_CRASH_KILLS ?? 120);
const BUDGET_MS = Number(process.env.ONEVISIT_PICKUP_CRASH_MS ?? 30_000);
const CHILD = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));

let bundleDir = '';
let script = '';

beforeAll(async () => {
  bundleDir = tempDir('onevisit-pickup-crash-bundle-');
  script = await bundleCrashChild(bundleDir, CHILD);
});

afterAll(() => {
  if (bundleDir !== '') rmSync(bundleDir, { recursive: true, force: true });
});

function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

function randomPlan(): KillPlan {
  const roll = Math.random();
  // During the start-up reconciliation, inside a door cycle (0–12 ms after it begins: before the
  // unlock, door open, item half taken, door closing, the store's commit), or between operations.
  if (roll < 0.15) return { after: 'OPEN', count: 1, delayMs: randomInt(0, 3), immediate: false };
  if (roll < 0.85) return { after: 'BEGIN', count: randomInt(1, 6), delayMs: randomInt(0, 12), immediate: Math.random() < 0.1 };
  return { after: 'OK', count: randomInt(1, 6), delayMs: 0, immediate: true };
}

it(
  'SIGKILL during pickups, many times: no certificate handed out twice, none lost',
  async () => {
    const root = tempDir('onevisit-pickup-crash-');
    const dataDir = path.join(root, 'data');
    const world = path.join(root, 'world.json');
    const startedAt = performance.now();
    let kills = 0;
    let verified = 0;
    let cycles = 0;
    try {
      while (kills < MAX_KILLS && performance.now() - startedAt < BUDGET_MS) {
        const run = await runChildUntilKilled({ script, args: ['--data-dir', dataDir, '--world', world], plan: randomPlan() });
        kills += 1;
        expect(run.lines.filter((l) => l.startsWith('BROKEN'))).toEqual([]);
        if (run.lines.some((l) => l.startsWith('VERIFIED '))) verified += 1;
        cycles += run.lines.filter((l) => l === 'OK collect' || l === 'OK deposit').length;
      }
      // One last start: whatever the last kill left, the store and the cabinet agree.
      const last = await runChildUntilKilled({ script, args: ['--data-dir', dataDir, '--world', world], plan: { after: 'READY', count: 1, delayMs: 0, immediate: true } });
      const summary = last.lines.find((l) => l.startsWith('VERIFIED '));
      expect(summary).toBeDefined();
      const state = JSON.parse(readFileSync(world, 'utf8')) as { carried: string[] };
      expect(new Set(state.carried).size).toBe(state.carried.length);
      process.stdout.write(`   pickup crash: ${kills} kills, ${verified} verified restarts, ${cycles} completed operations, ${state.carried.length} collected; final ${summary?.slice('VERIFIED '.length) ?? ''}\n`);
      expect(verified).toBeGreaterThan(kills / 2);
      expect(state.carried.length).toBeGreaterThan(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
  BUDGET_MS + 60_000,
);
