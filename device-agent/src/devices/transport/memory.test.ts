import { describe, expect, it } from 'vitest';
import { createMemoryTransportPair, MemoryLine, type MemoryTransport } from './memory.ts';
import type { CloseEvent } from './transport.ts';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function closes(transport: MemoryTransport): CloseEvent[] {
  const events: CloseEvent[] = [];
  transport.onClose((e) => events.push(e));
  return events;
}

describe('in-memory transport pair', () => {
  it('delivers what one end writes to the other, later, and records it on the receiving end', async () => {
    const { host, device } = createMemoryTransportPair();
    const atDevice: string[] = [];
    device.onData((chunk) => atDevice.push(Buffer.from(chunk).toString('hex')));
    const bytes = Uint8Array.of(0x10, 0x04, 0x01);
    const written = host.write(bytes);
    bytes[0] = 0xff; // the caller reuses its buffer: what was sent stays sent
    expect(atDevice).toEqual([]); // asynchronous, like a real port
    expect(await written).toEqual({ ok: true });
    await settle();
    expect(atDevice).toEqual(['100401']);
    expect(device.received.map((c) => Buffer.from(c).toString('hex'))).toEqual(['100401']);
  });

  it('lets the device end emitData to the host, as serialport’s mock binding does', async () => {
    const { host, device } = createMemoryTransportPair();
    const atHost: number[] = [];
    host.onData((chunk) => atHost.push(...chunk));
    device.emitData(Uint8Array.of(0x12));
    device.emitData(Uint8Array.of(0x16));
    await settle();
    expect(atHost).toEqual([0x12, 0x16]);
    expect(host.received).toHaveLength(2);
  });

  it('closes one end once: close is idempotent, later writes are a value, the other end stays open', async () => {
    const { host, device } = createMemoryTransportPair();
    const events = closes(host);
    await host.close();
    await host.close();
    expect(events).toEqual([{ reason: 'closed' }]);
    expect(host.isOpen).toBe(false);
    expect(await host.write(Uint8Array.of(1))).toEqual({ ok: false, fault: { code: 'notOpen' } });
    expect(device.isOpen).toBe(true);
    expect(() => host.emitData(Uint8Array.of(1))).toThrow();
  });

  it('delivers an error after open to both ends as a lost link with its fault', () => {
    const { host, device } = createMemoryTransportPair();
    const atHost = closes(host);
    const atDevice = closes(device);
    device.fail({ code: 'ioError', osCode: 'EIO' });
    expect(atHost).toEqual([{ reason: 'lost', fault: { code: 'ioError', osCode: 'EIO' } }]);
    expect(atDevice).toEqual([{ reason: 'lost', fault: { code: 'ioError', osCode: 'EIO' } }]);
    host.unplug(); // already ended: nothing more
    expect(atHost).toHaveLength(1);
  });

  it('drops bytes that arrive after the receiving end closed', async () => {
    const { host, device } = createMemoryTransportPair();
    const atHost: number[] = [];
    host.onData((chunk) => atHost.push(...chunk));
    device.emitData(Uint8Array.of(7));
    await host.close();
    await settle();
    expect(atHost).toEqual([]);
  });
});

describe('MemoryLine (a cable for simulators)', () => {
  it('opens a fresh pair each time, hands the device end over, and fails as a value while unplugged', async () => {
    const devices: MemoryTransport[] = [];
    const line = new MemoryLine((device) => devices.push(device));
    const first = await line.open();
    if (!first.ok) throw new Error('expected open');
    expect(first.transport.kind).toBe('memory');
    const events: CloseEvent[] = [];
    first.transport.onClose((e) => events.push(e));

    line.unplug();
    expect(events).toEqual([{ reason: 'lost', fault: { code: 'disconnected' } }]);
    expect(line.device).toBeUndefined();
    line.openProblem = 'busy';
    expect(await line.open()).toEqual({ ok: false, problem: 'busy' });

    line.plug();
    const second = await line.open();
    expect(second.ok).toBe(true);
    expect(devices).toHaveLength(2);
    expect(line.device).toBe(devices[1]);
  });
});
