/**
 * Terminal authentication to the back office (issue 15): each terminal has its own Ed25519 key pair
 * (RFC 8032) and signs every request; the intake keeps the registered public keys.
 *
 * Signed string (UTF-8, lines joined by "\n", no trailing newline):
 *   "onevisit-request/v1", terminal id, METHOD (upper case), path (with query), time (ms since the
 *   epoch, decimal), nonce (32 hex), hex SHA-256 of the body (of zero bytes when there is none)
 * Headers: `X-OneVisit-Terminal`, `X-OneVisit-Time`, `X-OneVisit-Nonce`, `X-OneVisit-Content-SHA256`,
 * `X-OneVisit-Signature` (base64url of the 64-byte Ed25519 signature).
 * A submission or supplement may carry the citizen's hall person key (the HMAC of the ID number, never
 * the number) in `X-OneVisit-Person-Key` (64 hex); then the signed string has one more line,
 * "person-key:" + that key, so the key can be neither added, changed nor removed on the way. A request
 * without the header signs exactly the six lines above (terminals from before this header still verify).
 *
 * The intake refuses a request that is unsigned, from an unknown terminal, outside the time window
 * (clock skew or a late replay), with a nonce already seen inside the window (a replay), or whose
 * method, path, time, nonce or body differ from what was signed.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SIGNING_VERSION = 'onevisit-request/v1';
export const SIGNATURE_HEADERS = {
  terminal: 'x-onevisit-terminal',
  time: 'x-onevisit-time',
  nonce: 'x-onevisit-nonce',
  contentSha256: 'x-onevisit-content-sha256',
  signature: 'x-onevisit-signature',
  personKey: 'x-onevisit-person-key',
} as const;
const PERSON_KEY = /^[0-9a-f]{64}$/;
/** How far a request's time may be from the intake's clock, either way. */
export const DEFAULT_SIGNATURE_WINDOW_MS = 5 * 60_000;

const TERMINAL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const NONCE = /^[0-9a-f]{32}$/;

export type TerminalKeyPair = { privateKey: KeyObject; publicKey: KeyObject; publicPem: string };

/**
 * The terminal's key pair at `DATA_DIR/keys/terminal.key` (PKCS#8 PEM, 0600) and `terminal.pub`
 * (SPKI PEM), made at first start. The public file is what `intake terminals add --key` takes.
 */
export function loadOrCreateTerminalKey(dataDir: string): TerminalKeyPair {
  const dir = path.join(dataDir, 'keys');
  const keyFile = path.join(dir, 'terminal.key');
  const pubFile = path.join(dir, 'terminal.pub');
  if (!existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    // 'wx': two processes starting at once never overwrite each other's key.
    try {
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(keyFile, 0o600);
  const privateKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${keyFile} is not an Ed25519 private key`);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  if (!existsSync(pubFile) || readFileSync(pubFile, 'utf8') !== publicPem) writeFileSync(pubFile, publicPem, { mode: 0o600 });
  chmodSync(pubFile, 0o600);
  return { privateKey, publicKey, publicPem };
}

/** Parses an Ed25519 public key (SPKI PEM); undefined when it is something else. */
export function parseTerminalPublicKey(pem: string): KeyObject | undefined {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

export function bodySha256(body: Uint8Array | undefined): string {
  return createHash('sha256')
    .update(body ?? new Uint8Array(0))
    .digest('hex');
}

function signedString(terminalId: string, method: string, requestPath: string, timeMs: number, nonce: string, contentSha256: string, personKey: string | undefined): Buffer {
  const lines = [SIGNING_VERSION, terminalId, method.toUpperCase(), requestPath, String(timeMs), nonce, contentSha256];
  if (personKey !== undefined) lines.push(`person-key:${personKey}`);
  return Buffer.from(lines.join('\n'), 'utf8');
}

export type SignInput = {
  terminalId: string;
  privateKey: KeyObject;
  method: string;
  path: string;
  body?: Uint8Array;
  nowMs: number;
  /** The hall person key (64 hex) to send, signed, in `X-OneVisit-Person-Key`. */
  personKey?: string | undefined;
};

/** The headers to add to a request. */
export function signRequest(input: SignInput): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  const contentSha256 = bodySha256(input.body);
  if (input.personKey !== undefined && !PERSON_KEY.test(input.personKey)) throw new Error('a person key is 64 lower-case hex characters');
  const signature = sign(null, signedString(input.terminalId, input.method, input.path, input.nowMs, nonce, contentSha256, input.personKey), input.privateKey);
  return {
    ...(input.personKey === undefined ? {} : { [SIGNATURE_HEADERS.personKey]: input.personKey }),
    [SIGNATURE_HEADERS.terminal]: input.terminalId,
    [SIGNATURE_HEADERS.time]: String(input.nowMs),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.contentSha256]: contentSha256,
    [SIGNATURE_HEADERS.signature]: signature.toString('base64url'),
  };
}

export const SIGNATURE_REFUSALS = ['unsigned', 'unknownTerminal', 'outsideWindow', 'replayed', 'badSignature'] as const;
export type SignatureRefusal = (typeof SIGNATURE_REFUSALS)[number];
/** `personKey`: the signed `X-OneVisit-Person-Key`, when the request carried one. */
/** `terminalId` is undefined only for a request let through unchecked while no signature is required (no terminal registered yet). */
export type VerifyResult = { ok: true; terminalId: string | undefined; personKey?: string } | { ok: false; reason: SignatureRefusal };
/** A registered terminal's public key; the intake's PostgreSQL register answers asynchronously. */
export type TerminalKeyLookup = (terminalId: string) => KeyObject | undefined | Promise<KeyObject | undefined>;

export type VerifyInput = { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: Uint8Array | undefined };

type ParsedSignature = { ok: true; terminalId: string; time: string; nonce: string; contentSha256: string; signature: string; personKey: string | undefined };

/** The signature headers, well-formed, or why not. */
function parseSignature(input: VerifyInput): ParsedSignature | { ok: false; reason: SignatureRefusal } {
  const header = (name: string): string | undefined => {
    const v = input.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const terminalId = header(SIGNATURE_HEADERS.terminal);
  const time = header(SIGNATURE_HEADERS.time);
  const nonce = header(SIGNATURE_HEADERS.nonce);
  const contentSha256 = header(SIGNATURE_HEADERS.contentSha256);
  const signature = header(SIGNATURE_HEADERS.signature);
  const personKey = header(SIGNATURE_HEADERS.personKey);
  if (terminalId === undefined || time === undefined || nonce === undefined || contentSha256 === undefined || signature === undefined) {
    return { ok: false, reason: 'unsigned' };
  }
  if (!TERMINAL_ID.test(terminalId) || !/^\d{1,16}$/.test(time) || !NONCE.test(nonce) || !/^[0-9a-f]{64}$/.test(contentSha256)) {
    return { ok: false, reason: 'badSignature' };
  }
  if (input.headers[SIGNATURE_HEADERS.personKey] !== undefined && (personKey === undefined || !PERSON_KEY.test(personKey))) {
    return { ok: false, reason: 'badSignature' };
  }
  return { ok: true, terminalId, time, nonce, contentSha256, signature, personKey };
}

/**
 * Checks signed requests against the registered terminals. Nonces are remembered for twice the
 * window (a request older than the window is refused on its time alone), in memory: a restarted
 * intake also refuses anything signed before its start that is outside the window.
 */
export class RequestVerifier {
  readonly #keys: TerminalKeyLookup;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #seen = new Map<string, number>();
  readonly #required: (() => boolean | Promise<boolean>) | undefined;

  /**
   * `required`: asked for each request; while it answers false (an intake whose register is still
   * empty) requests pass unchecked, signed or not, as with no verifier. Default: always required.
   */
  constructor(options: { keys: TerminalKeyLookup; windowMs?: number; now?: () => number; required?: () => boolean | Promise<boolean> }) {
    this.#keys = options.keys;
    this.#required = options.required;
    this.#windowMs = options.windowMs ?? DEFAULT_SIGNATURE_WINDOW_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Verifies with a key lookup that answers at once (a folder register); see `verifyAsync`. */
  verify(input: VerifyInput): VerifyResult {
    const parsed = parseSignature(input);
    if (!parsed.ok) return parsed;
    const key = this.#keys(parsed.terminalId);
    if (key instanceof Promise) throw new Error('this verifier looks keys up asynchronously: call verifyAsync');
    return this.#check(input, parsed, key);
  }

  /** Verifies with any key lookup, e.g. the intake's PostgreSQL register (issue 15). */
  async verifyAsync(input: VerifyInput): Promise<VerifyResult> {
    // An intake with no register yet checks nothing (a terminal signs anyway: its key is not known here).
    if (this.#required !== undefined && !(await this.#required())) return { ok: true, terminalId: undefined };
    const parsed = parseSignature(input);
    if (!parsed.ok) return parsed;
    // Everything after this await runs without yielding, so the nonce check and its record stay one step.
    return this.#check(input, parsed, await this.#keys(parsed.terminalId));
  }

  #check(input: VerifyInput, parsed: ParsedSignature, key: KeyObject | undefined): VerifyResult {
    const { terminalId, time, nonce, contentSha256, signature, personKey } = parsed;
    if (!key) return { ok: false, reason: 'unknownTerminal' };
    const nowMs = this.#now();
    const timeMs = Number(time);
    if (Math.abs(nowMs - timeMs) > this.#windowMs) return { ok: false, reason: 'outsideWindow' };
    // The body is hashed here, never taken from the header: a changed body fails the signature.
    const message = signedString(terminalId, input.method, input.path, timeMs, nonce, bodySha256(input.body), personKey);
    if (contentSha256 !== bodySha256(input.body) || !verify(null, message, key, Buffer.from(signature, 'base64url'))) {
      return { ok: false, reason: 'badSignature' };
    }
    this.#forgetOld(nowMs);
    const nonceKey = `${terminalId} ${nonce}`;
    if (this.#seen.has(nonceKey)) return { ok: false, reason: 'replayed' };
    this.#seen.set(nonceKey, timeMs);
    return personKey === undefined ? { ok: true, terminalId } : { ok: true, terminalId, personKey };
  }

  #forgetOld(nowMs: number): void {
    for (const [k, at] of this.#seen) if (nowMs - at > 2 * this.#windowMs) this.#seen.delete(k);
  }
}
