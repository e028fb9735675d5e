// Test helpers for form updates (issue 16): an ops side that signs and publishes with the real
// `npm run forms` command (runCli) into a channel folder, and a terminal side built like the agent
// builds it. Used by the unit tests here and by test/integration; never by the agent.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { parsePublicKeys, signPackage } from '@onevisit/forms';
import pino, { type Logger } from 'pino';
import { runCli } from '../../../../forms/src/cli/main.ts';
import { ManualClock } from '../../clock.ts';
import { ActiveForms, loadServedCatalog } from './active-forms.ts';
import { folderChannel, type ChannelSource } from './channel-source.ts';
import { FormsUpdater, type FormsUpdaterDeps } from './updater.ts';

export const SHIPPED_PACKAGE = fileURLToPath(new URL('../../../../forms/packages/residence-permit/', import.meta.url));
export const FORM_ID = 'residence-permit';

/** Runs `npm run forms -- ARGS` in-process; throws with its output when it fails. */
export async function forms(...args: string[]): Promise<string[]> {
  const out: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => out.push(l) });
  if (code !== 0) throw new Error(`forms ${args.join(' ')} failed (${code}): ${out.join('\n')}`);
  return out;
}

export interface Ops {
  readonly dir: string;
  readonly channel: string;
  readonly keyFile: string;
  readonly pubFile: string;
  readonly trustedKeys: readonly KeyObject[];
  /** A copy of the shipped package at `version` with a title naming it; `edit` may change the folder before signing. */
  packageAt(version: string, edit?: (dir: string) => void): string;
  /** keygen'd key, `forms sign`, `forms publish`: the archive's path. */
  publish(version: string, ring?: string): Promise<string>;
  /** Signs with the library (no `check`, another key or a rollback flag) and publishes with `forms publish`. */
  publishRaw(version: string, opts: { edit?: (dir: string) => void; key?: KeyObject; ring?: string; rollback?: boolean }): Promise<string>;
}

export async function makeOps(root = mkdtempSync(path.join(tmpdir(), 'forms-ops-'))): Promise<Ops> {
  const keys = path.join(root, 'keys');
  await forms('keygen', '--out', keys);
  const keyFile = path.join(keys, 'signing.key');
  const pubFile = path.join(keys, 'signing.pub');
  const parsed = parsePublicKeys(readFileSync(pubFile, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.refusal.detail);
  const channel = path.join(root, 'channel');
  const ops: Ops = {
    dir: root,
    channel,
    keyFile,
    pubFile,
    trustedKeys: parsed.value,
    packageAt(version, edit) {
      const dir = path.join(root, 'src', `${FORM_ID}-${version}-${Math.random().toString(36).slice(2, 8)}`);
      cpSync(SHIPPED_PACKAGE, dir, { recursive: true });
      const defFile = path.join(dir, 'definition.json');
      const def = JSON.parse(readFileSync(defFile, 'utf8')) as { version: string; title: { 'zh-CN': string; en: string } };
      def.version = version;
      def.title = { 'zh-CN': `居住证申领（${version}）`, en: `Residence permit application (${version})` };
      writeFileSync(defFile, `${JSON.stringify(def, null, 2)}\n`);
      edit?.(dir);
      return dir;
    },
    async publish(version, ring = 'all') {
      const out = path.join(root, 'out', `${FORM_ID}-${version}.ovpkg`);
      await forms('sign', ops.packageAt(version), '--key', keyFile, '--out', out);
      await forms('publish', out, '--channel', channel, '--ring', ring);
      return out;
    },
    async publishRaw(version, opts) {
      const key = opts.key ?? createPrivateKey(readFileSync(keyFile, 'utf8'));
      const signed = await signPackage(ops.packageAt(version, opts.edit), key, {
        formId: FORM_ID,
        version,
        minAgentVersion: '0.1.0',
        now: new Date(),
        ...(opts.rollback === true ? { rollback: true } : {}),
      });
      if (!signed.ok) throw new Error(signed.refusal.detail);
      const out = path.join(root, 'out', `${FORM_ID}-${version}-raw.ovpkg`);
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, signed.value.archive);
      await forms('publish', out, '--channel', channel, '--ring', opts.ring ?? 'all');
      return out;
    },
  };
  return ops;
}

export interface TestTerminal {
  readonly updater: FormsUpdater;
  readonly active: ActiveForms;
  readonly catalog: Awaited<ReturnType<typeof loadServedCatalog>>;
  readonly timers: { delayMs: number; run: () => void; canceled: boolean }[];
  readonly clock: ManualClock;
  busy: boolean;
  /** Runs the timers due now (a waiting switch's recheck), as the real timers would. */
  runRechecks(): Promise<void>;
}

/** A terminal's updater over `dataDir`, its shipped forms being the repo's residence-permit 1.0.0 only. */
export async function makeTerminal(
  ops: Pick<Ops, 'channel' | 'trustedKeys'>,
  opts: { terminalId?: string; dataDir?: string; channel?: ChannelSource; log?: Logger; deps?: Partial<FormsUpdaterDeps> } = {},
): Promise<TestTerminal> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'forms-terminal-'));
  const formsDir = path.join(dataDir, 'shipped');
  cpSync(SHIPPED_PACKAGE, path.join(formsDir, FORM_ID), { recursive: true });
  const log = opts.log ?? pino({ level: 'silent' });
  const active = new ActiveForms(path.join(dataDir, 'forms-update'), log);
  const { pointer } = await active.recover();
  const catalog = await loadServedCatalog(formsDir, active, pointer);
  const timers: TestTerminal['timers'] = [];
  const clock = new ManualClock(Date.parse('2026-12-04T02:00:00Z'));
  const terminal: TestTerminal = {
    busy: false,
    active,
    catalog,
    timers,
    clock,
    updater: new FormsUpdater({
      channel: opts.channel ?? folderChannel(ops.channel),
      active,
      formsDir,
      catalog,
      terminalId: opts.terminalId ?? 'T0101',
      agentVersion: '0.1.0',
      trustedKeys: ops.trustedKeys,
      clock,
      log,
      pollMs: 300_000,
      busy: () => terminal.busy,
      testFill: () => Promise.resolve(undefined),
      schedule: (delayMs, run) => {
        const t = { delayMs, run, canceled: false };
        timers.push(t);
        return () => {
          t.canceled = true;
        };
      },
      random: () => 0.5,
      ...opts.deps,
    }),
    async runRechecks() {
      const due = timers.splice(0).filter((t) => !t.canceled && t.delayMs < 300_000 * 0.8);
      for (const t of due) t.run();
      await terminal.updater.activatePending();
    },
  };
  return terminal;
}
