// Card read → identity on the production serial path: the GA/T 467 driver on serialport, a
// socat pty pair, the reader emulator on the other end. Needs Debian `socat`.
import { ReaderEmulator } from '../../device-agent/src/devices/id-card/emulator.ts';
import { encodeCardData, encodeReply, FrameSplitter, MIN_REPLY_LENGTH, decodeReply, decodeCardData } from '../../device-agent/src/devices/id-card/gat467.ts';
import { decodeCardText, encodeCardText, photoBytesOf } from '../../device-agent/src/devices/id-card/gat490.ts';
import { Gat467Reader } from '../../device-agent/src/devices/id-card/gat467-reader.ts';
import { openPtyPair } from '../../device-agent/src/devices/testing/pty-pair.ts';
import { SAMPLE_IDENTITIES } from '../../device-agent/src/devices/id-card/sample-identities.ts';
import { serialTransport } from '../../device-agent/src/devices/transport/serial.ts';
import type { CardEvent, ReadStage } from '../../device-agent/src/devices/id-card/driver.ts';

const READS = 50;
const POLL_INTERVAL_MS = 50;
const DECODES = 5_000;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function summary(label: string, samplesMs: number[]): string {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return `   ${label}: p50 ${fmt(percentile(sorted, 50))}, p95 ${fmt(percentile(sorted, 95))}, max ${fmt(sorted[sorted.length - 1] ?? Number.NaN)} (n=${sorted.length})\n`;
}

async function waitForCardEvent(reader: Gat467Reader, event: CardEvent, limitMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} within ${limitMs} ms`));
    }, limitMs);
    const off = reader.onCard((e) => {
      if (e !== event) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

export async function run(): Promise<void> {
  const identities = SAMPLE_IDENTITIES.filter((s) => s.identity.cardType === 'resident').map((s) => s.identity);
  const pty = await openPtyPair();
  const emulatorEnd = await serialTransport({ path: pty.b, baudRate: 115_200 }).open();
  if (!emulatorEnd.ok) throw new Error(`cannot open the emulator end: ${emulatorEnd.problem}`);
  const emulator = new ReaderEmulator(emulatorEnd.transport, { haltAfterRead: true });
  const reader = new Gat467Reader({
    transport: serialTransport({ path: pty.a, baudRate: 115_200 }),
    pollIntervalMs: POLL_INTERVAL_MS,
  });
  const foundToIdentityMs: number[] = [];
  const placedToIdentityMs: number[] = [];
  try {
    await reader.start();
    if (reader.status().state !== 'online') throw new Error(`reader is ${reader.status().state}`);
    for (let i = 0; i < READS; i += 1) {
      const identity = identities[i % identities.length];
      if (identity === undefined) throw new Error('no sample identity');
      let foundAtMs = Number.NaN;
      const reading = reader.readCard({
        signal: AbortSignal.timeout(10_000),
        onStage: (stage: ReadStage) => {
          if (stage === 'cardFound') foundAtMs = nowMs();
        },
      });
      // The citizen puts the card down a little after the read began: somewhere in a poll interval.
      await new Promise((resolve) => setTimeout(resolve, 5 + ((i * 17) % POLL_INTERVAL_MS)));
      const placedAtMs = nowMs();
      emulator.placeCard(identity);
      const result = await reading;
      const doneMs = nowMs();
      if (result.kind !== 'read' || result.identity.idNumber !== identity.idNumber) throw new Error(`read ${i} gave ${result.kind}`);
      foundToIdentityMs.push(doneMs - foundAtMs);
      placedToIdentityMs.push(doneMs - placedAtMs);
      const removed = waitForCardEvent(reader, 'removed', 5_000);
      emulator.removeCard();
      await removed;
    }
  } finally {
    await reader.stop();
    await emulatorEnd.transport.close();
    await pty.close();
  }

  // The pure part alone: frame splitting + GA/T 490 decode + schema validation of one 1295-byte reply.
  const sample = identities[0];
  if (sample === undefined) throw new Error('no sample identity');
  const frame = encodeReply(0x90, encodeCardData({ text: encodeCardText(sample), photo: photoBytesOf(sample) }));
  const decodeStartMs = nowMs();
  for (let i = 0; i < DECODES; i += 1) {
    const [event] = new FrameSplitter({ minLength: MIN_REPLY_LENGTH }).push(frame);
    if (event?.kind !== 'frame') throw new Error('no frame');
    const reply = decodeReply(event.body);
    if (!reply.ok) throw new Error('bad reply');
    const card = decodeCardData(reply.reply.data);
    if (!card.ok || !decodeCardText(card.card.text, card.card.photo).ok) throw new Error('bad card');
  }
  const decodeUs = ((nowMs() - decodeStartMs) / DECODES) * 1000;

  process.stdout.write(
    `   ID card read on a socat pty pair (serialport 115200 8N1, emulated SAM answers at once), ${READS} reads:\n` +
      summary('card found → identity (select 20 02 + read 30 01, 1295-byte reply, decode)', foundToIdentityMs) +
      summary(`card placed → identity (includes waiting for the next find poll, every ${POLL_INTERVAL_MS} ms here; 300 ms by default)`, placedToIdentityMs) +
      `   frame split + GA/T 490 decode + schema check alone: ${decodeUs.toFixed(1)} µs per card\n` +
      `   (a pty does not pace bytes at the baud rate: on a real 115200 line the 1295-byte reply alone takes ~112 ms,\n` +
      `    and a real SAM adds its own card authentication, typically several hundred ms, which no emulator can show)\n`,
  );
}
