import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, OPTIONS, envName, parseClockText as parseIsoInstant, parseReceiptPrinterSpec, type Config } from './config.ts';

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

  it('reads --hall-db (flag, environment or file key hallDb) as a postgres:// URL with a host, and nothing else', () => {
    const url = 'postgres://onevisit@hall-db.local/onevisit?sslmode=verify-full';
    expect(ok([]).hallDb).toBeUndefined();
    expect(ok(['--hall-db', url]).hallDb).toBe(url);
    expect(ok([], { ONEVISIT_HALL_DB: 'postgresql://k@10.0.0.5:5433/hall' }).hallDb).toBe('postgresql://k@10.0.0.5:5433/hall');
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    writeFileSync(path.join(dir, 'onevisit.config.json'), JSON.stringify({ hallDb: url }));
    const fromFile = loadConfig({ argv: [], env: {}, cwd: dir });
    expect(fromFile.kind === 'config' && fromFile.config.hallDb).toBe(url);
    expect(err(['--hall-db', 'mysql://hall-db.local/onevisit'])).toMatch(/--hall-db: must be a postgres:\/\/ URL with a host/);
    expect(err(['--hall-db', 'postgres:///onevisit'])).toMatch(/--hall-db: must be a postgres:\/\/ URL with a host/);
    // A Unix socket, libpq style: the folder of the socket as ?host= (or percent-encoded in the authority).
    expect(ok(['--hall-db', 'postgres:///onevisit?host=/tmp/pg']).hallDb).toBe('postgres:///onevisit?host=/tmp/pg');
    expect(ok(['--hall-db', 'postgresql://k@%2Ftmp%2Fpg/hall']).hallDb).toBe('postgresql://k@%2Ftmp%2Fpg/hall');
    expect(err(['--hall-db', 'hall-db.local'])).toMatch(/--hall-db: must be a postgres/);
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

describe('the demo (the command line: demoWhenUnconfigured)', () => {
  // A terminal of its own (outside the demo the command line refuses the demo's id T0001: tested below).
  const cli = (argv: string[], env: Record<string, string> = {}, cwd = '/srv/kiosk'): ReturnType<typeof loadConfig> =>
    loadConfig({ argv, env: { ONEVISIT_TERMINAL_ID: 'T0042', ...env }, cwd, readDefaultFile: false, demoWhenUnconfigured: true });
  const cfg = (result: ReturnType<typeof loadConfig>): Config => {
    if (result.kind !== 'config') throw new Error(`expected a config, got ${result.kind}`);
    return result.config;
  };

  it('runs with no config file and every device simulated: dev on', () => {
    expect(cfg(cli([]))).toMatchObject({ demo: true, dev: true });
    expect(cfg(cli(['--dev', '--idcard', 'sim']))).toMatchObject({ demo: true, dev: true });
  });

  it('ends with a config file, any real device or --no-dev; --dev still turns dev mode on', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    writeFileSync(path.join(dir, 'kiosk.json'), JSON.stringify({ terminalId: 'T0042' }));
    expect(cfg(cli(['--config', 'kiosk.json'], {}, dir))).toMatchObject({ demo: false, dev: false });
    expect(cfg(cli([], { ONEVISIT_CONFIG: 'kiosk.json' }, dir))).toMatchObject({ demo: false, dev: false });
    expect(cfg(cli(['--idcard', 'serial:/dev/ttyUSB0']))).toMatchObject({ demo: false, dev: false });
    expect(cfg(cli([], { ONEVISIT_PRINTER: 'cups:A4' }))).toMatchObject({ demo: false, dev: false });
    expect(cfg(cli(['--dispenser', 'serial:/dev/ttyS1']))).toMatchObject({ demo: false, dev: false });
    expect(cfg(cli(['--no-dev']))).toMatchObject({ demo: false, dev: false });
    expect(cfg(cli(['--config', 'kiosk.json', '--dev'], {}, dir))).toMatchObject({ demo: false, dev: true });
    expect(cfg(cli(['--scanner', 'sane:test:0', '--dev']))).toMatchObject({ demo: false, dev: true });
  });

  it('does not allow --clock by itself, and is off for in-process agents', () => {
    const clock = cli(['--clock', '2026-11-23T09:00:00+08:00']);
    expect(clock.kind === 'error' && clock.message).toMatch(/--clock: only allowed together with --dev/);
    expect(ok([])).toMatchObject({ demo: false, dev: false });
  });

  it('refuses the demo terminal id T0001 outside the demo, naming the option; the demo keeps it', () => {
    const bare = (argv: string[], env: Record<string, string> = {}, cwd = '/srv/kiosk'): ReturnType<typeof loadConfig> =>
      loadConfig({ argv, env, cwd, readDefaultFile: false, demoWhenUnconfigured: true });
    expect(cfg(bare([]))).toMatchObject({ demo: true, terminalId: 'T0001' });
    const byDefault = bare(['--receipt-printer', 'tcp:127.0.0.1:9100']);
    expect(byDefault.kind === 'error' && byDefault.message).toMatch(/--terminal-id \(default\): T0001 is the demo's terminal id; outside the demo give this terminal its own id/);
    const asFlag = bare(['--no-dev', '--terminal-id', 'T0001']);
    expect(asFlag.kind === 'error' && asFlag.message).toMatch(/--terminal-id: T0001/);
    const asEnv = bare(['--idcard', 'serial:/dev/ttyUSB0'], { ONEVISIT_TERMINAL_ID: 'T0001' });
    expect(asEnv.kind === 'error' && asEnv.message).toMatch(/ONEVISIT_TERMINAL_ID: T0001/);
    // A developer's bench with a real device and --dev on purpose keeps the demo's id (never a hall terminal).
    expect(cfg(bare(['--dev', '--dispenser', 'serial:/dev/ttyUSB1']))).toMatchObject({ demo: false, dev: true, terminalId: 'T0001' });
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    writeFileSync(path.join(dir, 'kiosk.json'), JSON.stringify({ idleTimeout: 90 }));
    const inFile = bare(['--config', 'kiosk.json'], {}, dir);
    expect(inFile.kind === 'error' && inFile.message).toMatch(/--terminal-id \(default\): T0001/);
    expect(cfg(bare(['--config', 'kiosk.json', '--terminal-id', 'T0042'], {}, dir))).toMatchObject({ demo: false, terminalId: 'T0042' });
    // In-process agents and tests get the options they give.
    expect(ok([])).toMatchObject({ demo: false, terminalId: 'T0001' });
  });

  it('writes a launch secret outside the demo (default /run/onevisit/launch-secret), none in the demo, with --dev or in-process', () => {
    expect(cfg(cli([]))).toMatchObject({ demo: true, launchSecretFile: undefined });
    expect(cfg(cli(['--no-dev']))).toMatchObject({ demo: false, launchSecretFile: '/run/onevisit/launch-secret' });
    expect(cfg(cli(['--dev', '--idcard', 'serial:/dev/ttyUSB0', '--launch-secret-file', 'run/secret']))).toMatchObject({ launchSecretFile: '/srv/kiosk/run/secret' });
    expect(cfg(cli(['--idcard', 'serial:/dev/ttyUSB0', '--terminal-id', 'T0007']))).toMatchObject({ launchSecretFile: '/run/onevisit/launch-secret' });
    // --dev on purpose (a developer's bench): Dev.* already lets any page place a card, so no secret by default.
    expect(cfg(cli(['--dev', '--idcard', 'serial:/dev/ttyUSB0']))).toMatchObject({ dev: true, launchSecretFile: undefined });
    expect(ok([])).toMatchObject({ launchSecretFile: undefined });
  });
});

describe('form updates (issue 16): --forms-channel, --forms-trusted-keys, --forms-poll-seconds', () => {
  const pem = (): string => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('is off by default and polls every 300 s', () => {
    expect(ok([])).toMatchObject({ formsChannel: undefined, formsTrustedKeysFile: undefined, formsPollMs: 300_000 });
  });

  it('rolls an update back after 2 failed of its first 10 fills unless told otherwise (--forms-rollback-after)', () => {
    expect(ok([]).formsFillWatch).toEqual({ fills: 10, failures: 2 });
    expect(ok(['--forms-rollback-after', '3/20']).formsFillWatch).toEqual({ fills: 20, failures: 3 });
    expect(ok([], { ONEVISIT_FORMS_ROLLBACK_AFTER: '1/1' }).formsFillWatch).toEqual({ fills: 1, failures: 1 });
    for (const bad of ['0/10', '5/3', '2', '2/1001', 'x/y']) expect(err(['--forms-rollback-after', bad])).toMatch(/--forms-rollback-after.*FAILED\/FILLS/);
  });

  it('takes a channel folder with a file of several trusted keys, from flags, environment or the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    writeFileSync(path.join(dir, 'keys.pem'), `${pem()}${pem()}`);
    expect(ok(['--forms-channel', 'channel', '--forms-trusted-keys', 'keys.pem', '--forms-poll-seconds', '30'], {}, dir)).toMatchObject({
      formsChannel: { kind: 'dir', dir: path.join(dir, 'channel') },
      formsTrustedKeysFile: path.join(dir, 'keys.pem'),
      formsPollMs: 30_000,
    });
    expect(ok([], { ONEVISIT_FORMS_CHANNEL: '/mnt/channel', ONEVISIT_FORMS_TRUSTED_KEYS: 'keys.pem' }, dir).formsChannel).toEqual({ kind: 'dir', dir: '/mnt/channel' });
    writeFileSync(path.join(dir, 'kiosk.json'), JSON.stringify({ formsChannel: 'c', formsTrustedKeys: 'keys.pem', formsPollSeconds: 60 }));
    expect(ok(['--config', 'kiosk.json'], {}, dir)).toMatchObject({ formsChannel: { kind: 'dir', dir: path.join(dir, 'c') }, formsPollMs: 60_000 });
  });

  it("takes the back office's http(s) channel", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    writeFileSync(path.join(dir, 'keys.pem'), pem());
    expect(ok(['--forms-channel', 'https://backoffice.example:8443', '--forms-trusted-keys', 'keys.pem'], {}, dir).formsChannel).toEqual({ kind: 'url', url: 'https://backoffice.example:8443' });
    expect(err(['--forms-channel', 'http://', '--forms-trusted-keys', 'keys.pem'], {}, dir)).toMatch(/--forms-channel: must be a folder or an http/);
  });

  it('refuses a channel without trusted keys, a key file that is not Ed25519 keys, a channel URL that is not http(s) and a bad interval, naming the option', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onevisit-config-'));
    writeFileSync(path.join(dir, 'rsa.pem'), generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
    writeFileSync(path.join(dir, 'empty.pem'), 'not a key\n');
    expect(err(['--forms-channel', 'c'], {}, dir)).toMatch(/--forms-channel: needs --forms-trusted-keys FILE/);
    expect(err(['--forms-channel', 'c', '--forms-trusted-keys', 'rsa.pem'], {}, dir)).toMatch(/--forms-trusted-keys: .*rsa\.pem: key 1 is not Ed25519/);
    expect(err(['--forms-channel', 'c', '--forms-trusted-keys', 'empty.pem'], {}, dir)).toMatch(/--forms-trusted-keys: .*no PEM public key found/);
    expect(err(['--forms-channel', 'c', '--forms-trusted-keys', 'missing.pem'], {}, dir)).toMatch(/--forms-trusted-keys: cannot read .*missing\.pem \(ENOENT\)/);
    expect(err(['--forms-channel', 'ftp://backoffice.example/packages'])).toMatch(/--forms-channel: must be a folder or an http/);
    expect(err(['--forms-poll-seconds', '0'])).toMatch(/--forms-poll-seconds: must be a whole number from 1 to 86400/);
    expect(err([], { ONEVISIT_FORMS_POLL_SECONDS: 'soon' })).toMatch(/ONEVISIT_FORMS_POLL_SECONDS: must be a whole number/);
  });
});
