import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isValidDate, parseIsoInstant, shanghaiInstant } from '@onevisit/protocol';
import { parsePublicKeys } from '@onevisit/forms';
import { z } from 'zod';
import { CABINET_PROTOCOLS, type CabinetProtocol } from './devices/cabinet/driver.ts';
import { loadLayoutFile, type CabinetLayout } from './devices/cabinet/layout.ts';

/**
 * The agent's configuration: defaults < JSON file < environment < command-line flags.
 * Every option has one flag (`--idle-timeout`), one environment variable
 * (`ONEVISIT_IDLE_TIMEOUT`) and one key in the JSON file (`idleTimeout`).
 * The agent always listens on 127.0.0.1 only; there is deliberately no host option.
 */

export const HOST = '127.0.0.1';
export const DEFAULT_PORT = 5846;
export const DEFAULT_CONFIG_FILE = 'onevisit.config.json';
/** The demo's terminal id; outside the demo the command line refuses it (issue 11). */
export const DEMO_TERMINAL_ID = 'T0001';

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
/** A channel of signed form packages (forms/src/channel.ts): a folder, or the back office's /v1/packages/ over http(s). */
export type FormsChannelSpec = { kind: 'dir'; dir: string } | { kind: 'url'; url: string };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Config = {
  port: number;
  /** Absolute. */
  dataDir: string;
  /** Dev.* commands and the dev dock; on in the demo. */
  dev: boolean;
  /**
   * The demo: started from the command line with no config file and every device simulated
   * (and not `--no-dev`). Dev mode is on, submissions are sealed to a demo back-office key unless
   * one is configured, and the UI shows a 演示 / DEMO mark. A config file or any real device ends it.
   */
  demo: boolean;
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
  /** The lock boards' protocol (issue 13). */
  dispenserProtocol: CabinetProtocol;
  /** Serial speed of the lock-board bus; undefined = the protocol's own (cu16 19200, lock8a 9600). */
  dispenserBaud: number | undefined;
  /** The validated `--dispenser-layout` file; undefined = the simulator's default 16 compartments. */
  dispenserLayout: CabinetLayout | undefined;
  /** Absolute; undefined = the packages shipped in forms/packages. */
  formsDir: string | undefined;
  /** Where signed form updates are offered (issue 16); undefined = no updates, the forms folder only. */
  formsChannel: FormsChannelSpec | undefined;
  /** Absolute path of the PEM file of Ed25519 keys a form package may be signed by (validated at load). */
  formsTrustedKeysFile: string | undefined;
  /** How often the channel is read; each wait is jittered (services/forms-update). */
  formsPollMs: number;
  /** An activated update is rolled back by itself when `failures` of its first `fills` fills fail through the package's fault. */
  formsFillWatch: { readonly fills: number; readonly failures: number };
  /** Absolute path of the back office's public key (PEM); undefined = not configured. */
  backofficeKeyFile: string | undefined;
  /** Absolute; where sealed submissions are handed over (a shared folder); undefined = not configured. */
  intakeDir: string | undefined;
  /** http(s) URL of the back office intake; undefined = not configured. */
  intakeUrl: string | undefined;
  /** postgres:// URL of the hall database shared by the hall's terminals (issue 14); undefined = bookings in this terminal's SQLite. */
  hallDb: string | undefined;
  /**
   * Where the per-boot launch secret is written for the kiosk launcher (server/launch-secret.ts);
   * when set, only a connection presenting the secret may run citizen, staff and technician
   * commands. Undefined (the demo, in-process agents): the page token is enough.
   */
  launchSecretFile: string | undefined;
  /** The JSON file that was read, if any (absolute). */
  configFile: string | undefined;
};

/** The launch secret's default file outside the demo (README "OS accounts"). */
export const DEFAULT_LAUNCH_SECRET_FILE = '/run/onevisit/launch-secret';

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
  { key: 'dev', flag: 'dev', kind: 'boolean', defaultText: 'on without a config file when every device is simulated (the demo), otherwise off', description: 'Developer mode: dev dock and Dev.* commands.' },
  { key: 'clock', flag: 'clock', kind: 'string', valueName: 'ISO-8601', defaultText: 'system time', description: 'Start the agent clock at this time (only with --dev), e.g. 2026-11-23T09:00:00+08:00.' },
  { key: 'terminalId', flag: 'terminal-id', kind: 'string', valueName: 'ID', defaultText: 'T0001 (the demo only: any other start needs its own id)', description: 'This terminal\'s id: 2 to 12 of A-Z, 0-9, unique in the hall.' },
  { key: 'idleTimeout', flag: 'idle-timeout', kind: 'string', valueName: 'SECONDS', defaultText: '60', description: 'Idle time before the UI starts its countdown.' },
  { key: 'idleCountdown', flag: 'idle-countdown', kind: 'string', valueName: 'SECONDS', defaultText: '15', description: 'Length of the visible countdown before the session is wiped.' },
  { key: 'logLevel', flag: 'log-level', kind: 'string', valueName: 'LEVEL', defaultText: 'info', description: `One of ${LOG_LEVELS.join(', ')}.` },
  { key: 'idcard', flag: 'idcard', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'ID card reader: sim | serial:PATH | hid:VID:PID.' },
  { key: 'idcardBaud', flag: 'idcard-baud', kind: 'string', valueName: 'BAUD', defaultText: '115200', description: 'Baud rate of a serial ID card reader.' },
  { key: 'idcardPollMs', flag: 'idcard-poll-ms', kind: 'string', valueName: 'MS', defaultText: '300', description: 'How often a real ID card reader is asked whether a card is on it.' },
  { key: 'scanner', flag: 'scanner', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'Document scanner: sim | sane:DEVICE.' },
  { key: 'printer', flag: 'printer', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'A4 printer: sim | cups:QUEUE.' },
  { key: 'receiptPrinter', flag: 'receipt-printer', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'Receipt printer: sim | serial:PATH | usb:VID:PID | tcp:HOST:PORT.' },
  { key: 'dispenser', flag: 'dispenser', kind: 'string', valueName: 'SPEC', defaultText: 'sim', description: 'Certificate pickup cabinet (lock boards on RS-485): sim | serial:PATH (the USB-RS485 adapter).' },
  { key: 'dispenserProtocol', flag: 'dispenser-protocol', kind: 'string', valueName: 'PROTOCOL', defaultText: 'cu16', description: 'Lock-board protocol: cu16 (CU16-style, with item sensors) | lock8a (5-byte 8A/80 boards, no sensors).' },
  { key: 'dispenserBaud', flag: 'dispenser-baud', kind: 'string', valueName: 'BAUD', defaultText: '19200 for cu16, 9600 for lock8a', description: 'Baud rate of the lock-board bus.' },
  { key: 'dispenserLayout', flag: 'dispenser-layout', kind: 'string', valueName: 'FILE', defaultText: 'one board, 16 compartments A01-A16', description: 'JSON list of compartments [{ "slot": "A01", "board": 0, "lock": 1, "size": "S|M|L" }]; a lock named twice or a board the protocol cannot address is refused.' },
  { key: 'formsDir', flag: 'forms-dir', kind: 'string', valueName: 'DIR', defaultText: 'forms/packages', description: 'Folder of form packages to serve.' },
  {
    key: 'formsChannel',
    flag: 'forms-channel',
    kind: 'string',
    valueName: 'DIR|URL',
    defaultText: 'none (only the forms folder); the demo: the shipped forms signed with a demo key in DATA_DIR/demo-forms',
    description: 'Channel of signed form updates: a folder (index.json, .ovpkg archives, reports/) as written by npm run forms -- publish, or the back office URL (its /v1/packages/). Needs --forms-trusted-keys.',
  },
  { key: 'formsTrustedKeys', flag: 'forms-trusted-keys', kind: 'string', valueName: 'FILE', defaultText: 'none', description: 'PEM file of the Ed25519 public keys form packages may be signed by (several, for key rotation).' },
  {
    key: 'formsRollbackAfter',
    flag: 'forms-rollback-after',
    kind: 'string',
    valueName: 'FAILED/FILLS',
    defaultText: '2/10',
    description: "After a form update is activated, roll it back by itself when FAILED of its first FILLS fills fail through the package's fault (not the citizen's answers).",
  },
  { key: 'formsPollSeconds', flag: 'forms-poll-seconds', kind: 'string', valueName: 'SECONDS', defaultText: '300', description: 'How often the forms channel is read (each wait varies by up to a fifth, so a fleet does not read at once).' },
  { key: 'backofficeKey', flag: 'backoffice-key', kind: 'string', valueName: 'FILE', defaultText: 'none (Forms.Submit out of service; in the demo or with --dev a demo key in DATA_DIR/demo-backoffice)', description: 'Back office public key (PEM) that submissions are sealed to; the first key in the file is current.' },
  { key: 'intakeDir', flag: 'intake-dir', kind: 'string', valueName: 'DIR', defaultText: 'DATA_DIR/intake', description: 'Folder where sealed submissions are handed to the back office (used when --intake-url is not set).' },
  {
    key: 'hallDb',
    flag: 'hall-db',
    kind: 'string',
    valueName: 'URL',
    defaultText: "none (bookings and queue tickets in this terminal's own store)",
    description: 'PostgreSQL shared by every terminal of the hall, for bookings, queue tickets, the staff register and terminal heartbeats, e.g. postgres://onevisit@hall-db.local/onevisit?sslmode=verify-full.',
  },
  {
    key: 'launchSecretFile',
    flag: 'launch-secret-file',
    kind: 'string',
    valueName: 'FILE',
    defaultText: `${DEFAULT_LAUNCH_SECRET_FILE} outside the demo; none in the demo (the page token is enough there)`,
    description: 'Where the agent writes its per-boot launch secret (mode 0640) for the kiosk launcher; only a page that presents it may read cards, print or submit.',
  },
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
    'Usage: npm start -- [options]      (or, once built by npm run build: node device-agent/dist/main.js [options])',
    '',
    'With no config file and no real device this is the demo: every device simulated, the dev dock on, a demo',
    'back-office key, a DEMO mark on the screen. A config file or any real device turns the demo off.',
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
  /**
   * The command line's rule (main.ts): with no config file, every device simulated and dev mode
   * not switched off, run the demo. Default false, so that in-process agents and tests get exactly
   * the options they give.
   */
  demoWhenUnconfigured?: boolean;
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

/**
 * `--clock`: an ISO-8601 date or date-time. Without an offset the time is read as China Standard
 * Time (+08:00), the terminal's own zone; a bare date means its midnight. A space may stand for
 * `T`, and the offset may be written `+0800`; the protocol's Shanghai time module does the rest.
 */
export function parseClockText(text: string): number | undefined {
  const t = text.trim().replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (isValidDate(t)) return shanghaiInstant(t);
  return parseIsoInstant(/(Z|[+-]\d{2}:\d{2})$/.test(t) ? t : `${t}+08:00`);
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
  const explicitDev = get('dev', false, toBool);
  const clockStartMs = get<number | undefined>('clock', undefined, (v) => {
    const s = toStr(v);
    if (!s.ok) return s;
    const ms = parseClockText(s.value);
    return ms === undefined ? { ok: false, message: 'must be an ISO-8601 date or date-time, e.g. 2026-11-23T09:00:00+08:00' } : { ok: true, value: ms };
  });
  const terminalId = get('terminalId', DEMO_TERMINAL_ID, (v) => {
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
  const dispenserProtocol = get<CabinetProtocol>('dispenserProtocol', 'cu16', (v) => {
    const s = toStr(v);
    if (!s.ok) return s;
    const protocol = CABINET_PROTOCOLS.find((p) => p === s.value);
    return protocol ? { ok: true, value: protocol } : { ok: false, message: `must be one of ${CABINET_PROTOCOLS.join(', ')}` };
  });
  const dispenserBaud = get<number | undefined>('dispenserBaud', undefined, (v) => toInt(v, 1200, 115200));
  const dispenserLayout = get<CabinetLayout | undefined>('dispenserLayout', undefined, (v) => {
    const file = dir(v);
    if (!file.ok) return file;
    const layout = loadLayoutFile(file.value, dispenserProtocol);
    return layout.ok ? { ok: true, value: layout.layout } : { ok: false, message: layout.message };
  });
  const formsDir = get<string | undefined>('formsDir', undefined, dir);
  const formsChannel = get<FormsChannelSpec | undefined>('formsChannel', undefined, (v) => {
    const s = toStr(v);
    if (!s.ok) return s;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s.value)) {
      // The back office's channel (intake /v1/packages/): every request is signed with the terminal's key.
      const url = z.url({ protocol: /^https?$/ }).safeParse(s.value);
      return url.success ? { ok: true, value: { kind: 'url', url: url.data } } : { ok: false, message: 'must be a folder or an http:// or https:// URL of the back office' };
    }
    return { ok: true, value: { kind: 'dir', dir: path.resolve(input.cwd, s.value) } };
  });
  const formsTrustedKeysFile = get<string | undefined>('formsTrustedKeys', undefined, (v) => {
    const file = dir(v);
    if (!file.ok) return file;
    let text: string;
    try {
      text = readFileSync(file.value, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { ok: false, message: `cannot read ${file.value}${typeof code === 'string' ? ` (${code})` : ''}` };
    }
    const keys = parsePublicKeys(text);
    return keys.ok ? file : { ok: false, message: `${file.value}: ${keys.refusal.detail}` };
  });
  const formsPollS = get('formsPollSeconds', 300, (v) => toInt(v, 1, 86_400));
  const formsFillWatch = get('formsRollbackAfter', { fills: 10, failures: 2 }, (v): Parsed<{ fills: number; failures: number }> => {
    const m = typeof v === 'string' ? /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(v) : null;
    const failures = Number(m?.[1]);
    const fills = Number(m?.[2]);
    return m !== null && failures >= 1 && fills >= failures && fills <= 1000
      ? { ok: true, value: { fills, failures } }
      : { ok: false, message: 'must be FAILED/FILLS, e.g. 2/10: at least 1 failed fill, out of at most 1000 fills' };
  });
  if (formsChannel !== undefined && formsTrustedKeysFile === undefined && pick('formsTrustedKeys') === undefined) {
    const found = pick('formsChannel');
    errors.push(`${found ? describeSource('formsChannel', found.source, configFile) : '--forms-channel'}: needs --forms-trusted-keys FILE (the keys packages must be signed by).`);
  }
  const backofficeKeyFile = get<string | undefined>('backofficeKey', undefined, dir);
  const intakeDir = get<string | undefined>('intakeDir', undefined, dir);
  const intakeUrl = get<string | undefined>('intakeUrl', undefined, (v) => {
    const s = toStr(v);
    if (!s.ok) return s;
    const url = z.url({ protocol: /^https?$/ }).safeParse(s.value);
    return url.success ? { ok: true, value: url.data } : { ok: false, message: 'must be an http:// or https:// URL' };
  });

  const allSimulated = [idCard, scanner, printer, receiptPrinter, dispenser].every((device) => device.kind === 'sim');
  const demo = input.demoWhenUnconfigured === true && configFile === undefined && allSimulated && (pick('dev') === undefined || explicitDev);
  const dev = explicitDev || demo;

  // The clock may be set only on purpose: the demo alone does not allow it.
  const hallDb = get<string | undefined>('hallDb', undefined, (v) => {
    const s = toStr(v);
    if (!s.ok) return s;
    const problem = hallDbUrlProblem(s.value);
    return problem === undefined ? { ok: true, value: s.value } : { ok: false, message: problem };
  });

  // Two terminals that both keep the demo's id write the same reference numbers, and the intake
  // then takes one citizen's submission for another's (issue 11). Only the command line's rule
  // applies it: in-process agents and tests get exactly the options they give.
  const givenTerminalId = pick('terminalId');
  // (An invalid id given has been reported above; its fallback is not what was given.)
  const keptDemoId = givenTerminalId === undefined || String(givenTerminalId.value).trim() === DEMO_TERMINAL_ID;
  // A developer's bench (--dev given on purpose: Dev.* lets any page place a card) keeps the demo's
  // id and needs no launch secret; a terminal in the hall never runs with --dev.
  const production = input.demoWhenUnconfigured === true && !demo && !explicitDev;
  if (production && keptDemoId) {
    const found = givenTerminalId;
    errors.push(
      `${found ? describeSource('terminalId', found.source, configFile) : '--terminal-id (default)'}: ${DEMO_TERMINAL_ID} is the demo's terminal id; outside the demo give this terminal its own id ` +
        `(--terminal-id ID, ${envName({ flag: 'terminal-id' })} or "terminalId" in the config file; 2 to 12 of A-Z, 0-9, unique in the hall).`,
    );
  }

  // Outside the demo the kiosk browser proves it is the terminal's own (issue 11); in-process agents
  // and tests get exactly the options they give.
  const launchSecretFile = get<string | undefined>('launchSecretFile', production ? DEFAULT_LAUNCH_SECRET_FILE : undefined, dir);

  if (clockStartMs !== undefined && !explicitDev) {
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
      demo,
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
      dispenserProtocol,
      dispenserBaud,
      dispenserLayout,
      formsDir,
      formsChannel,
      formsTrustedKeysFile,
      formsPollMs: formsPollS * 1000,
      formsFillWatch,
      backofficeKeyFile,
      intakeDir,
      intakeUrl,
      hallDb,
      launchSecretFile,
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

/** Why `value` is not a hall database URL (`--hall-db`; also `npm run staff -- --hall-db`), or undefined when it is one. */
export function hallDbUrlProblem(value: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // The host is in the authority, or (a Unix socket, libpq style) in `?host=/path/to/socket-dir`.
  const host = url?.hostname !== '' ? url?.hostname : url.searchParams.get('host') ?? '';
  return url && (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && host !== undefined && host !== ''
    ? undefined
    : 'must be a postgres:// URL with a host (or ?host=/socket/dir), e.g. postgres://onevisit@hall-db.local/onevisit?sslmode=verify-full';
}
