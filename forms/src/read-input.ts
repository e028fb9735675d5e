import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Reading files that ops hand to the tools (templates, definitions, answers, archives, keys). A plain
 * `readFile` never returns on `/dev/zero` or a FIFO nobody writes to (issue 11), and reads a huge file
 * whole, so we open without blocking (O_NONBLOCK: opening a FIFO with no writer would block), look at
 * the open descriptor with fstat (no race between a check and the read), refuse anything that is not a
 * regular file or is larger than the cap, and read at most the size fstat gave.
 */

/** A template PDF (the shipped ones are under 100 KB). */
export const MAX_PDF_BYTES = 64 * 1024 * 1024;
/** definition.json, sample.json, answers, keys, manifests. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

export type ReadFailure = 'missing' | 'notRegular' | 'tooLarge' | 'unreadable';

export type ReadResult = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly reason: ReadFailure; readonly detail: string };

export async function readRegularFile(path: string, maxBytes: number): Promise<ReadResult> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    if (code === 'ENOENT') return { ok: false, reason: 'missing', detail: 'cannot be read (it does not exist)' };
    return { ok: false, reason: 'unreadable', detail: `cannot be opened (${code || 'error'})` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, reason: 'notRegular', detail: `not a regular file (${kindOf(info)})` };
    if (info.size > maxBytes) return { ok: false, reason: 'tooLarge', detail: `${info.size} bytes, more than the ${maxBytes} allowed` };
    // Read at most the size fstat gave: a file that keeps growing is read as it was.
    const bytes = Buffer.alloc(info.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { ok: true, bytes: bytes.subarray(0, filled) };
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    return { ok: false, reason: 'unreadable', detail: `cannot be read (${code || 'error'})` };
  } finally {
    await handle.close();
  }
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}
