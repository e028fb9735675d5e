import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, OPTIONS, envName, parseIsoInstant, parseReceiptPrinterSpec, type Config } from './config.ts';

function ok(argv: string[], env: Record<string, string> = {}, cwd = '/srv/kiosk'): Config {
  const result = loadConfig({ argv, env, cwd, readDefaultFile: false });
  if (result.kind !== 'config') throw new Error(`expected a config, got ${result.kind}: ${'message' in result ? result.message : ''}`);
  return result.config;
}

function err(argv: string[], env: Record<string, string> = {}, cwd = '/srv/kiosk'): string {
  const result = loadConfig({ argv, env, cwd, readDefaultFile: false });
  if (result.kind !== 'error') throw new Error(`expected an error, got ${result.kind}`);
  return result.message;
}

describe('loadConfig', () => {
  it('has sensible defaults', () => {
    const c = ok([]);
    expect(c.port).toBe(5846);
    expect(c.dataDir).toBe('/srv/kiosk/data');
    expect(c.dev).toBe(false);
    expect(c.clockStartMs).toBeUndefined();
    expect(c.terminalId).toBe('T0001');
    expect(c.idleTimeoutMs).toBe(60_000);
    expect(c.idleCountdownMs).toBe(15_000);
    expect(c.idCard).toEqual({ kind: 'sim' });
    expect(c.receiptPrinter).toEqual({ kind: 'sim' });
  });

  it('lets flags win over environment and environment over the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    writeFileSync(path.join(dir, 'onevisit.config.json'), JSON.stringify({ port: 7000, terminalId: 'FILE01', idleTimeout: 90 }));
    const r = loadConfig({ argv: ['--port', '6000'], env: { ONEVISIT_PORT: '6500', ONEVISIT_TERMINAL_ID: 'ENV01' }, cwd: dir });
    expect(r.kind).toBe('config');
    if (r.kind !== 'config') return;
    expect(r.config.port).toBe(6000);
    expect(r.config.terminalId).toBe('ENV01');
    expect(r.config.idleTimeoutMs).toBe(90_000);
    expect(r.config.configFile).toBe(path.join(dir, 'onevisit.config.json'));
  });

  it('reads --config and rejects unknown keys in it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ prot: 1 }));
    expect(err(['--config', 'a.json'], {}, dir)).toMatch(/unknown option\(s\): prot/);
    expect(err(['--config', 'missing.json'], {}, dir)).toMatch(/Cannot read config file/);
  });

  it('parses device specs into typed unions', () => {
    const c = ok([
      '--idcard', 'serial:/dev/ttyUSB0', '--idcard-baud', '9600',
      '--scanner', 'sane:genesys:libusb:001:002', '--printer', 'cups:Office_A4',
      '--receipt-printer', 'tcp:192.168.1.50:9100', '--dispenser', 'serial:/dev/ttyS1',
    ]);
    expect(c.idCard).toEqual({ kind: 'serial', path: '/dev/ttyUSB0', baudRate: 9600 });
    expect(c.scanner).toEqual({ kind: 'sane', device: 'genesys:libusb:001:002' });
    expect(c.printer).toEqual({ kind: 'cups', queue: 'Office_A4' });
    expect(c.receiptPrinter).toEqual({ kind: 'tcp', host: '192.168.1.50', port: 9100 });
    expect(c.dispenser).toEqual({ kind: 'serial', path: '/dev/ttyS1' });
    expect(ok(['--idcard', 'hid:0400:C35A']).idCard).toEqual({ kind: 'hid', vendorId: 0x0400, productId: 0xc35a });
    expect(c.idcardPollMs).toBe(300);
    expect(ok(['--idcard-poll-ms', '150']).idcardPollMs).toBe(150);
    expect(err(['--idcard-poll-ms', '5'])).toMatch(/--idcard-poll-ms/);
    expect(parseReceiptPrinterSpec('usb:0x0416:0x5011')).toEqual({ ok: true, spec: { kind: 'usb', vendorId: 0x0416, productId: 0x5011 } });
    expect(parseReceiptPrinterSpec('tcp:[::1]:9100')).toEqual({ ok: true, spec: { kind: 'tcp', host: '::1', port: 9100 } });
  });

  it('names the source of a bad value', () => {
    expect(err(['--port', 'abc'])).toMatch(/--port: must be a whole number/);
    expect(err([], { ONEVISIT_PORT: '70000' })).toMatch(/ONEVISIT_PORT: must be a whole number from 0 to 65535/);
    expect(err(['--idcard', 'usb:1:2'])).toMatch(/--idcard: expected sim, serial:PATH or hid:VID:PID/);
    expect(err(['--terminal-id', 't-1'])).toMatch(/--terminal-id: must be 2 to 12/);
    expect(err(['--intake-url', 'ftp://x'])).toMatch(/--intake-url: must be an http/);
    expect(err(['--bogus'])).toMatch(/bogus/);
  });

  it('accepts --clock only with --dev', () => {
    expect(err(['--clock', '2026-11-23T09:00:00+08:00'])).toMatch(/--clock: only allowed together with --dev/);
    expect(ok(['--dev', '--clock', '2026-11-23T09:00:00+08:00']).clockStartMs).toBe(Date.parse('2026-11-23T01:00:00Z'));
    expect(err(['--dev', '--clock', 'tomorrow'])).toMatch(/--clock: must be an ISO-8601/);
  });

  it('reads booleans from the environment', () => {
    expect(ok([], { ONEVISIT_DEV: '1' }).dev).toBe(true);
    expect(ok(['--no-dev'], { ONEVISIT_DEV: 'yes' }).dev).toBe(false);
    expect(err([], { ONEVISIT_DEV: 'maybe' })).toMatch(/ONEVISIT_DEV: must be true or false/);
  });

  it('lists every option in --help', () => {
    const r = loadConfig({ argv: ['--help'], env: {}, cwd: '/', readDefaultFile: false });
    expect(r.kind).toBe('help');
    if (r.kind !== 'help') return;
    for (const o of OPTIONS) {
      expect(r.text).toContain(`--${o.flag}`);
      expect(r.text).toContain(envName(o));
    }
  });
});

describe('parseIsoInstant', () => {
  it('reads dates and times, defaulting to +08:00', () => {
    expect(parseIsoInstant('2026-11-23')).toBe(Date.parse('2026-11-22T16:00:00Z'));
    expect(parseIsoInstant('2026-11-23T09:30')).toBe(Date.parse('2026-11-23T01:30:00Z'));
    expect(parseIsoInstant('2026-11-23T09:30:00Z')).toBe(Date.parse('2026-11-23T09:30:00Z'));
    expect(parseIsoInstant('2026-02-30')).toBeUndefined();
    expect(parseIsoInstant('23/11/2026')).toBeUndefined();
  });
});
