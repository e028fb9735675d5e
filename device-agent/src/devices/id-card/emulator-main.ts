// A GA/T 467 reader on a serial port or pty, for trying the real driver without hardware:
//
//   socat -d -d pty,raw,echo=0,link=/tmp/idcard/agent pty,raw,echo=0,link=/tmp/idcard/reader &
//   node --import tsx device-agent/src/devices/id-card/emulator-main.ts /tmp/idcard/reader standard
//   npm start -- --idcard serial:/tmp/idcard/agent
//
// Type a sample key (see sample-identities.ts) and Enter to place that card, an empty line to lift it.
import { createInterface } from 'node:readline';
import { ReaderEmulator } from './emulator.ts';
import { findSampleIdentity, SAMPLE_IDENTITIES } from './sample-identities.ts';
import { serialTransport } from '../transport/serial.ts';

async function main(): Promise<void> {
  const [portPath, firstCard] = process.argv.slice(2);
  if (portPath === undefined) {
    process.stderr.write('usage: emulator-main.ts PORT [SAMPLE_KEY]\n');
    process.exitCode = 2;
    return;
  }
  const opened = await serialTransport({ path: portPath, baudRate: 115_200 }).open();
  if (!opened.ok) {
    process.stderr.write(`cannot open ${portPath}: ${opened.problem}\n`);
    process.exitCode = 1;
    return;
  }
  const emulator = new ReaderEmulator(opened.transport, { haltAfterRead: true });
  const place = (key: string): void => {
    const sample = findSampleIdentity(key);
    if (sample === undefined) {
      process.stdout.write(`unknown card; one of: ${SAMPLE_IDENTITIES.map((s) => s.key).join(', ')}\n`);
      return;
    }
    try {
      emulator.placeCard(sample.identity);
      process.stdout.write(`card placed: ${sample.key}\n`);
    } catch (error) {
      process.stdout.write(`cannot put this card in GA/T 490 bytes: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
  if (firstCard !== undefined) place(firstCard);
  opened.transport.onClose(() => process.exit(0));
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const key = line.trim();
    if (key === '') {
      emulator.removeCard();
      process.stdout.write('card lifted\n');
    } else {
      place(key);
    }
  });
}

void main();
