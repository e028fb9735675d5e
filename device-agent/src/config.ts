import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * The agent's configuration: defaults < JSON file < environment < command-line flags.
 * Every option has one flag (`--idle-timeout`), one environment variable
 * (`ONEVISIT_IDLE_TIMEOUT`) and one key in the JSON file (`idleTimeout`).
 * The agent always listens on 127.0.0.1 only; there is deliberately no host option.
 */

export const HOST = '127.0.0.1';
export const DEFAULT_PORT = 5846;
export const DEFAULT_CONFIG_FILE = 'onevisit.config.json';

// ---------------------------------------------------------------- device specs

export type IdCardSpec =
  | { kind: 'sim' }
  | { kind: 'serial'; path: string; baudRate: number }
  | { kind: 'hid'; vendorId: number; productId: number };
export type ScannerSpec = { kind: 'sim' } | { kind: 'sane'; device: string };
export type PrinterSpec = { kind: 'sim' } | { kind: 'cups'; queue: string };
export type ReceiptPrinterSpec =
  | { kind: 'sim' }
  | { kind: 'serial'; path: string }
  | { kind: 'usb'; vendorId: number; productId: number }
  | { kind: 'tcp'; host: string; port: number };
export type DispenserSpec = { kind: 'sim' } | { kind: 'serial'; path: string };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Config = {
  port: number;
  /** Absolute. */
  dataDir: string;
  dev: boolean;
  /** Set only with `--dev --clock`: the agent's clock starts at this instant (epoch ms). */
  clockStartMs: number | undefined;
  terminalId: string;
  idleTimeoutMs: number;
  idleCountdownMs: number;
  logLevel: LogLevel;
  idCard: IdCardSpec;
  /** Find-card polling interval of a real reader (GA/T 467 readers have no card-present interrupt). */
  idcardPollMs: number;
  scanner: ScannerSpec;
  printer: PrinterSpec;
  receiptPrinter: ReceiptPrinterSpec;
  dispenser: DispenserSpec;
  /** Absolute; undefined = the packages shipped in forms/packages. */
  formsDir: string | undefined;
  /** Absolute path of the back office's public key (PEM); undefined = not configured. */
  backofficeKeyFile: string | undefined;
  /** Absolute; where sealed submissions are handed over (a shared folder); undefined = not configured. */
  intakeDir: string | undefined;
  /** http(s) URL of the back office intake; undefined = not configured. */
  intakeUrl: string | undefined;
  /** The JSON file that was read, if any (absolute). */
  configFile: string | undefined;
};

const VID_PID = /^(?:0x)?([0-9a-fA-F]{1,4}):(?:0x)?([0-9a-fA-F]{1,4})$/;

function afterPrefix(value: string, prefix: string): string | undefined {
  return value.startsWith(`${prefix}:`) ? value.slice(prefix.length + 1) : undefined;
}

function parseVidPid(rest: string): { vendorId: number; productId: number } | undefined {
  const m = VID_PID.exec(rest);
  if (!m?.[1] || !m[2]) return undefined;
  return { vendorId: Number.parseInt(m[1], 16), productId: Number.parseInt(m[2], 16) };
}

type SpecResult<T> = { ok: true; spec: T } | { ok: false; message: string };

export function parseIdCardSpec(value: string, baudRate: number): SpecResult<IdCardSpec> {
  if (value === 'sim') return { ok: true, spec: { kind: 'sim' } };
  const serial = afterPrefix(value, 'serial');
  if (serial !== undefined && serial.length > 0) return { ok: true, spec: { kind: 'serial', path: serial, baudRate } };
  const hid = afterPrefix(value, 'hid');
  const ids = hid === undefined ? undefined : parseVidPid(hid);
  if (ids) return { ok: true, spec: { kind: 'hid', ...ids } };
  return { ok: false, message: 'expected sim, serial:PATH or hid:VID:PID (hex, e.g. hid:0400:c35a)' };
}

export function parseScannerSpec(value: string): SpecResult<ScannerSpec> {
  if (value === 'sim') return { ok: true, spec: { kind: 'sim' } };
  const device = afterPrefix(value, 'sane');
  if (device !== undefined && device.length > 0) return { ok: true, spec: { kind: 'sane', device } };
  return { ok: false, message: 'expected sim or sane:DEVICE (as listed by scanimage -L)' };
}

export function parsePrinterSpec(value: string): SpecResult<PrinterSpec> {
  if (value === 'sim') return { ok: true, spec: { kind: 'sim' } };
  const queue = afterPrefix(value, 'cups');
  if (queue !== undefined && /^[A-Za-z0-9_.@-]{1,127}$/.test(queue)) return { ok: true, spec: { kind: 'cups', queue } };
  return { ok: false, message: 'expected sim or cups:QUEUE (a CUPS queue name)' };
}

export function parseReceiptPrinterSpec(value: string): SpecResult<ReceiptPrinterSpec> {
  if (value === 'sim') return { ok: true, spec: { kind: 'sim' } };
  const serial = afterPrefix(value, 'serial');
  if (serial !== undefined && serial.length > 0) return { ok: true, spec: { kind: 'serial', path: serial } };
  const usb = afterPrefix(value, 'usb');
  const ids = usb === undefined ? undefined : parseVidPid(usb);
  if (ids) return { ok: true, spec: { kind: 'usb', ...ids } };
  const tcp = afterPrefix(value, 'tcp');
  if (tcp !== undefined) {
    const colon = tcp.lastIndexOf(':');
    const host = tcp.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    const port = Number(tcp.slice(colon + 1));
    if (colon > 0 && host.length > 0 && /^\d{1,5}$/.test(tcp.slice(colon + 1)) && port > 0 && port <= 65535) {
      return { ok: true, spec: { kind: 'tcp', host, port } };
    }
  }
  return { ok: false, message: 'expected sim, serial:PATH, usb:VID:PID or tcp:HOST:PORT (e.g. tcp:192.168.1.50:9100)' };
}

export function parseDispenserSpec(value: string): SpecResult<DispenserSpec> {
  if (value === 'sim') return { ok: true, spec: { kind: 'sim' } };
  const serial = afterPrefix(value, 'serial');
  if (serial !== undefined && serial.length > 0) return { ok: true, spec: { kind: 'serial', path: serial } };
  return { ok: false, message: 'expected sim or serial:PATH (the RS-485 adapter)' };
}

// ---------------------------------------------------------------- options

type OptionKind = 'string' | 'boolean';

type OptionDef = {
  /** Key in the JSON file and in the raw layers. */
  key: string;
  flag: string;
  kind: OptionKind;
  valueName?: string;
  defaultText: string;
  description: string;
};

/** The one list of options: flags, environment names, file keys and --help are all derived from it. */
export const OPTIONS: readonly OptionDef[] = [
  { key: 'port', flag: 'port', kind: 'string', valueName: 'PORT', defaultText: String(DEFAULT_PORT), description: 'TCP port on 127.0.0.1 (0 = any free port).' },
  { key: 'dataDir', flag: 'data-dir', kind: 'string', valueName: 'DIR', defaultText: './data', description: 'Where the agent keeps its store, outbox and logs.' },
  { key: 'dev', flag: 'dev', kind: 'boolean', defaultText: 'off', description: 'Developer mode: dev dock and Dev.* commands.' },
  { key: 'clock', flag: 'clock', kind: 'string', valueName: 'ISO-8601', defaultText: 'system time', description: 'Start the agent clock at this time (only with --dev), e.g. 2026-11-23T09:00:00+08:00.' },
  { key: 'terminalId', flag: 'terminal-id', kind: 'string', valueName: 'ID', defaultText: 'T0001', description: 'This terminal\'s id: 2 to 12 of A-Z, 0-9.' },
  { key: 'idleTimeout', flag: 'idle-timeout', kind: 'string', valueName: 'SECONDS', defaultText: '60', description: 'Idle time before the UI starts its countdown.' },
  { key: 'idleCountdown', flag: 'idle-countdown', kind: 'string', valueName: 'SECONDS', defaultText: '15', description: 'Length of the visible countdown before the session is wiped.' },
  { key: 'logLevel', flag: 'log-level', kind: 'string', valueName: 'LEVEL', defaultText: 'info', description: `One of ${LOG_LEVELS.join(', ')}.` },
  { key: 'idcard', flag: 'idcard', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'ID card reader: sim | serial:PATH | hid:VID:PID.' },
  { key: 'idcardBaud', flag: 'idcard-baud', kind: 'string', valueName: 'BAUD', defaultText: '115200', description: 'Baud rate of a serial ID card reader.' },
  { key: 'idcardPollMs', flag: 'idcard-poll-ms', kind: 'string', valueName: 'MS', defaultText: '300', description: 'How often a real ID card reader is asked whether a card is on it.' },
  { key: 'scanner', flag: 'scanner', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'Document scanner: sim | sane:DEVICE.' },
  { key: 'printer', flag: 'printer', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'A4 printer: sim | cups:QUEUE.' },
  { key: 'receiptPrinter', flag: 'receipt-printer', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'Receipt printer: sim | serial:PATH | usb:VID:PID | tcp:HOST:PORT.' },
  { key: 'dispenser', flag: 'dispenser', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'Certificate dispenser / locker: sim | serial:PATH (reserved: the dispenser driver is not built yet; the setting is validated and kept).' },
  { key: 'formsDir', flag: 'forms-dir', kind: 'string', valueName: 'DIR', defaultText: 'forms/packages', description: 'Folder of form packages to serve.' },
  { key: 'backofficeKey', flag: 'backoffice-key', kind: 'string', valueName: 'FILE', defaultText: 'none (Forms.Submit out of service; with --dev a demo key in DATA_DIR/demo-backoffice)', description: 'Back office public key (PEM) that submissions are sealed to; the first key in the file is current.' },
  { key: 'intakeDir', flag: 'intake-dir', kind: 'string', valueName: 'DIR', defaultText: 'DATA_DIR/intake', description: 'Folder where sealed submissions are handed to the back office (used when --intake-url is not set).' },
  { key: 'intakeUrl', flag: 'intake-url', kind: 'string', valueName: 'URL', defaultText: 'none', description: 'http(s) URL of the back office intake.' },
];

export function envName(option: Pick<OptionDef, 'flag'>): string {
  return `ONEVISIT_${option.flag.toUpperCase().replace(/-/g, '_')}`;
}

export function helpText(): string {
  const rows = [
    ['--config FILE', `JSON file of options (keys as below, e.g. "idleTimeout"). Default: ./${DEFAULT_CONFIG_FILE} if present. Env ONEVISIT_CONFIG.`],
    ['--help', 'Show this help.'],
    ...OPTIONS.map((o) => [`--${o.flag}${o.valueName ? ` ${o.valueName}` : ''}`, `${o.description} Default: ${o.defaultText}. Env ${envName(o)}; file key "${o.key}".`]),
  ];
  const width = Math.max(...rows.map((r) => (r[0] ?? '').length)) + 2;
  return [
    'OneVisit device agent: serves the kiosk UI and drives the devices on http://127.0.0.1:PORT/.',
    '',
    'Usage: npm start -- [options]      (or: node --import tsx device-agent/src/main.ts [options])',
    '',
    'Options (flags win over environment, environment over the file, the file over defaults):',
    ...rows.map(([left = '', right = '']) => `  ${left.padEnd(width)}${right}`),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- layers

type Source = 'default' | 'file' | 'env' | 'flag';
type RawValue = string | number | boolean;
type Layer = { source: Source; values: Map<string, RawValue> };

function describeSource(key: string, source: Source, configFile: string | undefined): string {
  const option = OPTIONS.find((o) => o.key === key);
  if (!option) return key;
  switch (source) {
    case 'flag':
      return `--${option.flag}`;
    case 'env':
      return envName(option);
    case 'file':
      return `"${option.key}" in ${configFile ?? 'the config file'}`;
    case 'default':
      return `--${option.flag} (default)`;
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
}

const FileSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export type ConfigResult = { kind: 'config'; config: Config } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

export type ConfigInput = {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Read ./onevisit.config.json when no --config is given (default true). */
  readDefaultFile?: boolean;
};

function parseFlags(argv: readonly string[]): { ok: true; values: Map<string, RawValue>; help: boolean; config: string | undefined } | { ok: false; message: string } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' }, config: { type: 'string' } };
  for (const o of OPTIONS) options[o.flag] = { type: o.kind };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, allowNegative: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `${message}\nRun with --help to list the options.` };
  }
  const values = new Map<string, RawValue>();
  for (const o of OPTIONS) {
    const v = parsed.values[o.flag];
    if (typeof v === 'string' || typeof v === 'boolean') values.set(o.key, v);
  }
  const config = parsed.values.config;
  return { ok: true, values, help: parsed.values.help === true, config: typeof config === 'string' ? config : undefined };
}

function readEnv(env: ConfigInput['env']): Map<string, RawValue> {
  const values = new Map<string, RawValue>();
  for (const o of OPTIONS) {
    const v = env[envName(o)];
    if (v !== undefined && v !== '') values.set(o.key, v);
  }
  return values;
}

function readFile(file: string): { ok: true; values: Map<string, RawValue> } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, message: `Cannot read config file ${file}${typeof code === 'string' ? ` (${code})` : ''}.` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Config file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: `Config file ${file} must be one JSON object of option: string | number | boolean.` };
  const values = new Map<string, RawValue>();
  const known = new Set(OPTIONS.map((o) => o.key));
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(parsed.data)) {
    if (key === '$schema' || key.startsWith('//')) continue;
    if (!known.has(key)) unknown.push(key);
    else if (value !== null) values.set(key, value);
  }
  if (unknown.length > 0) {
    return { ok: false, message: `Config file ${file} has unknown option(s): ${unknown.join(', ')}. Known: ${[...known].join(', ')}.` };
  }
  return { ok: true, values };
}

// ---------------------------------------------------------------- value parsers

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function toInt(value: RawValue, min: number, max: number): Parsed<number> {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) return { ok: false, message: `must be a whole number from ${min} to ${max}` };
  return { ok: true, value: n };
}

function toBool(value: RawValue): Parsed<boolean> {
  if (typeof value === 'boolean') return { ok: true, value };
  const s = String(value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return { ok: true, value: true };
  if (['0', 'false', 'no', 'off'].includes(s)) return { ok: true, value: false };
  return { ok: false, message: 'must be true or false (1/0, yes/no, on/off)' };
}

function toStr(value: RawValue): Parsed<string> {
  if (typeof value !== 'string' || value.trim() === '') return { ok: false, message: 'must be a non-empty text' };
  return { ok: true, value: value.trim() };
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * ISO-8601 date or date-time. Without an offset the time is read as China Standard
 * Time (+08:00), the terminal's own zone; a bare date means its midnight.
 */
export function parseIsoInstant(text: string): number | undefined {
  const m = ISO_DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', ms = '0', zone = '+08:00'] = m;
  const canonical = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms.padEnd(3, '0')}${zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const value = Date.parse(canonical);
  if (Number.isNaN(value)) return undefined;
  // Date.parse rolls 2026-02-30 over to March: reject dates that do not exist.
  const local = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (local.getUTCMonth() !== Number(mo) - 1 || local.getUTCDate() !== Number(d)) return undefined;
  return value;
}

// ---------------------------------------------------------------- resolve

/** Reads the configuration. Pure apart from reading the config file. */
export function loadConfig(input: ConfigInput): ConfigResult {
  const flags = parseFlags(input.argv);
  if (!flags.ok) return { kind: 'error', message: flags.message };
  if (flags.help) return { kind: 'help', text: helpText() };

  const explicitFile = flags.config ?? (input.env.ONEVISIT_CONFIG !== undefined && input.env.ONEVISIT_CONFIG !== '' ? input.env.ONEVISIT_CONFIG : undefined);
  let configFile: string | undefined;
  let fileValues = new Map<string, RawValue>();
  if (explicitFile !== undefined) configFile = path.resolve(input.cwd, explicitFile);
  else if (input.readDefaultFile !== false && existsSync(path.join(input.cwd, DEFAULT_CONFIG_FILE))) configFile = path.join(input.cwd, DEFAULT_CONFIG_FILE);
  if (configFile !== undefined) {
    const file = readFile(configFile);
    if (!file.ok) return { kind: 'error', message: file.message };
    fileValues = file.values;
  }

  const layers: Layer[] = [
    { source: 'file', values: fileValues },
    { source: 'env', values: readEnv(input.env) },
    { source: 'flag', values: flags.values },
  ];
  const errors: string[] = [];
  const pick = (key: string): { value: RawValue; source: Source } | undefined => {
    for (let i = layers.length - 1; i >= 0; i -= 1) {
      const layer = layers[i];
      const value = layer?.values.get(key);
      if (layer && value !== undefined) return { value, source: layer.source };
    }
    return undefined;
  };
  function get<T>(key: string, fallback: T, convert: (v: RawValue) => Parsed<T>): T {
    const found = pick(key);
    if (!found) return fallback;
    const result = convert(found.value);
    if (result.ok) return result.value;
    errors.push(`${describeSource(key, found.source, configFile)}: ${result.message}.`);
    return fallback;
  }
  const spec = <T>(parse: (s: string) => SpecResult<T>) => (v: RawValue): Parsed<T> => {
    const s = toStr(v);
    if (!s.ok) return s;
    const r = parse(s.value);
    return r.ok ? { ok: true, value: r.spec } : { ok: false, message: r.message };
  };
  const dir = (v: RawValue): Parsed<string> => {
    const s = toStr(v);
    return s.ok ? { ok: true, value: path.resolve(input.cwd, s.value) } : s;
  };

  const port = get('port', DEFAULT_PORT, (v) => toInt(v, 0, 65535));
  const dataDir = get('dataDir', path.resolve(input.cwd, 'data'), dir);
  const dev = get('dev', false, toBool);
  const clockStartMs = get<number | undefined>('clock', undefined, (v) => {
    const s = toStr(v);
    if (!s.ok) return s;
    const ms = parseIsoInstant(s.value);
    return ms === undefined ? { ok: false, message: 'must be an ISO-8601 date or date-time, e.g. 2026-11-23T09:00:00+08:00' } : { ok: true, value: ms };
  });
  const terminalId = get('terminalId', 'T0001', (v) => {
    const s = toStr(v);
    if (!s.ok) return s;
    return /^[A-Z0-9]{2,12}$/.test(s.value) ? { ok: true, value: s.value } : { ok: false, message: 'must be 2 to 12 characters of A-Z and 0-9' };
  });
  const idleTimeoutS = get('idleTimeout', 60, (v) => toInt(v, 5, 3600));
  const idleCountdownS = get('idleCountdown', 15, (v) => toInt(v, 3, 600));
  const logLevel = get<LogLevel>('logLevel', 'info', (v) => {
    const s = toStr(v);
    if (!s.ok) return s;
    const level = LOG_LEVELS.find((l) => l === s.value.toLowerCase());
    return level ? { ok: true, value: level } : { ok: false, message: `must be one of ${LOG_LEVELS.join(', ')}` };
  });
  const idcardBaud = get('idcardBaud', 115200, (v) => toInt(v, 1200, 921600));
  const idCard = get<IdCardSpec>('idcard', { kind: 'sim' }, spec((s) => parseIdCardSpec(s, idcardBaud)));
  const idcardPollMs = get('idcardPollMs', 300, (v) => toInt(v, 50, 10_000));
  const scanner = get<ScannerSpec>('scanner', { kind: 'sim' }, spec(parseScannerSpec));
  const printer = get<PrinterSpec>('printer', { kind: 'sim' }, spec(parsePrinterSpec));
  const receiptPrinter = get<ReceiptPrinterSpec>('receiptPrinter', { kind: 'sim' }, spec(parseReceiptPrinterSpec));
  const dispenser = get<DispenserSpec>('dispenser', { kind: 'sim' }, spec(parseDispenserSpec));
  const formsDir = get<string | undefined>('formsDir', undefined, dir);
  const backofficeKeyFile = get<string | undefined>('backofficeKey', undefined, dir);
  const intakeDir = get<string | undefined>('intakeDir', undefined, dir);
  const intakeUrl = get<string | undefined>('intakeUrl', undefined, (v) => {
    const s = toStr(v);
    if (!s.ok) return s;
    const url = z.url({ protocol: /^https?$/ }).safeParse(s.value);
    return url.success ? { ok: true, value: url.data } : { ok: false, message: 'must be an http:// or https:// URL' };
  });

  if (clockStartMs !== undefined && !dev) {
    const found = pick('clock');
    errors.push(`${found ? describeSource('clock', found.source, configFile) : '--clock'}: only allowed together with --dev.`);
  }

  if (errors.length > 0) {
    return { kind: 'error', message: `Invalid configuration:\n${errors.map((e) => `  - ${e}`).join('\n')}\nRun with --help to list the options.` };
  }

  return {
    kind: 'config',
    config: {
      port,
      dataDir,
      dev,
      clockStartMs,
      terminalId,
      idleTimeoutMs: idleTimeoutS * 1000,
      idleCountdownMs: idleCountdownS * 1000,
      logLevel,
      idCard,
      idcardPollMs,
      scanner,
      printer,
      receiptPrinter,
      dispenser,
      formsDir,
      backofficeKeyFile,
      intakeDir,
      intakeUrl,
      configFile,
    },
  };
}

/** The defaults, for tests and in-process agents: `testConfig({ port: 0, dev: true })`. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  // Never picks up an onevisit.config.json from the working directory.
  const result = loadConfig({ argv: [], env: {}, cwd: process.cwd(), readDefaultFile: false });
  if (result.kind !== 'config') throw new Error('the defaults must be valid');
  return { ...result.config, ...overrides };
}
