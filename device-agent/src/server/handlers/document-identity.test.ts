import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { defaultConfig } from '../../config.ts';
import { createDevices } from '../../devices/registry.ts';
import { SAMPLE_PEOPLE } from '../../devices/scanner/sample-pages.ts';
import { silentLogger } from '../../log.ts';
import type { CommandName, ParsedCommandPayload } from '@onevisit/protocol';
import type { AgentServices } from '../../services.ts';
import { createScanningServices, type ScanningServices } from '../../services/document-check/scanning.ts';
import type { CommandContext, ConnectionControl, Session } from '../handler.ts';
import { createSession } from '../session.ts';
import { handlers } from './index.ts';
import { servicesForTest } from '../test-services.ts';

/** DocumentIdentity.Confirm against the simulated scanner and real (warm) OCR: one page, read twice. */
describe('DocumentIdentity.Confirm', () => {
  const clock = new ManualClock(Date.parse('2026-11-23T01:00:00Z'));
  const log = silentLogger();
  let dataDir: string;
  let scanning: ScanningServices;
  let services: AgentServices;
  let closeServices: () => Promise<void>;
  let session: Session;

  const ctx = <N extends CommandName>(name: N, payload: ParsedCommandPayload<N>): CommandContext<N> => {
    const connection: ConnectionControl = { id: 1, authenticated: true, authenticate: () => true, cancel: () => [] };
    return { name, requestId: 1, payload, timeoutMs: 0, signal: new AbortController().signal, emit: () => undefined, session, services, connection, log };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'doc-identity-test-'));
    const config = defaultConfig({ port: 0, dev: true });
    const devices = createDevices(config, { clock, log });
    scanning = createScanningServices({ scanner: devices.scanner, simulator: devices.simulators.scanner }, { clock, log, dataDir, ocrWorkers: { chi_sim: 1, eng: 1 } });
    await devices.scanner.start();
    await scanning.start();
    const built = await servicesForTest({ config, devices, clock, log }, { scanning });
    services = built.services;
    closeServices = () => built.close();
    session = createSession();
  }, 120_000);

  afterAll(async () => {
    await services.devices.scanner.stop();
    await scanning.stop();
    await closeServices();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('makes the confirmed values the session identity, and refuses values the page does not carry', async () => {
    const person = SAMPLE_PEOPLE.liHong;
    services.simulators.scanner?.place([{ sample: { kind: 'temporaryIdCertificate', person } }]);
    const scan = await handlers['Scanner.Scan'](ctx('Scanner.Scan', { resolution: 200 }));
    if (scan.completionCode !== 'success') throw new Error(`scan failed: ${scan.errorCode}`);
    const scanId = scan.payload.scanId;

    // Someone else's valid number is not on this paper.
    const other = SAMPLE_PEOPLE.wangXiaoming;
    const refused = await handlers['DocumentIdentity.Confirm'](ctx('DocumentIdentity.Confirm', { scanId, name: person.name, idNumber: other.idNumber }));
    expect(refused).toMatchObject({ completionCode: 'userError', errorCode: 'idNumberNotFound', payload: { errors: [{ field: 'idNumber', code: 'idNumberNotFound' }] } });
    expect(refused.completionCode === 'success' ? '' : refused.errorDescription).not.toContain(other.idNumber);
    expect(session.identity).toBeUndefined();

    const confirmed = await handlers['DocumentIdentity.Confirm'](ctx('DocumentIdentity.Confirm', { scanId, name: person.name, idNumber: person.idNumber }));
    expect(confirmed).toMatchObject({ completionCode: 'success', payload: { identity: { name: person.name, idNumber: person.idNumber, sex: '女', birthDate: '1985-11-22', source: 'document' } } });
    expect(session.identity).toMatchObject({ name: person.name, idNumber: person.idNumber, source: 'document' });

    // Session.End wipes it, and the scan with it.
    await handlers['Session.End'](ctx('Session.End', {}));
    expect(session.identity).toBeUndefined();
    expect(await handlers['DocumentIdentity.Confirm'](ctx('DocumentIdentity.Confirm', { scanId, name: person.name, idNumber: person.idNumber }))).toMatchObject({
      completionCode: 'invalidData',
      errorCode: 'scanNotFound',
    });
  }, 120_000);

  it('refuses an invalid number at once', async () => {
    const scan = await handlers['Scanner.Scan'](ctx('Scanner.Scan', { resolution: 100 }));
    if (scan.completionCode !== 'success') throw new Error('scan failed');
    expect(await handlers['DocumentIdentity.Confirm'](ctx('DocumentIdentity.Confirm', { scanId: scan.payload.scanId, name: '李红', idNumber: '440305198511220840' }))).toMatchObject({
      completionCode: 'userError',
      errorCode: 'idNumberInvalid',
    });
  });

  it('refuses an expired temporary ID certificate like an expired card, and carries the validity of a current one', async () => {
    const person = SAMPLE_PEOPLE.liHong;
    services.simulators.scanner?.place([{ sample: { kind: 'expiredTemporaryIdCertificate', person } }]);
    const scan = await handlers['Scanner.Scan'](ctx('Scanner.Scan', { resolution: 200 }));
    if (scan.completionCode !== 'success') throw new Error(`scan failed: ${scan.errorCode}`);
    const refused = await handlers['DocumentIdentity.Confirm'](ctx('DocumentIdentity.Confirm', { scanId: scan.payload.scanId, name: person.name, idNumber: person.idNumber }));
    expect(refused).toMatchObject({ completionCode: 'userError', errorCode: 'documentExpired', payload: { errors: [{ field: 'document', code: 'documentExpired' }] } });
    expect(session.identity).toBeUndefined();

    // The simulator's current certificate is valid on the test clock's day (2026-11-23).
    services.simulators.scanner?.place([{ sample: { kind: 'temporaryIdCertificate', person } }]);
    const current = await handlers['Scanner.Scan'](ctx('Scanner.Scan', { resolution: 200 }));
    if (current.completionCode !== 'success') throw new Error(`scan failed: ${current.errorCode}`);
    const confirmed = await handlers['DocumentIdentity.Confirm'](ctx('DocumentIdentity.Confirm', { scanId: current.payload.scanId, name: person.name, idNumber: person.idNumber }));
    expect(confirmed).toMatchObject({ completionCode: 'success', payload: { identity: { validFrom: '2026-11-13', validTo: '2027-02-13' } } });
    await handlers['Session.End'](ctx('Session.End', {}));
  }, 120_000);
});

