import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import './declared-errors.ts';
import { inProcessAgents } from './in-process-agents.ts';
import type { CommandNameWithRole, CommandPayload } from '@onevisit/protocol';
import type { Agent, StartedAgent } from '../../device-agent/src/app.ts';
import { minimalPdf } from '../../device-agent/src/devices/printer/test-pdf.ts';
import { STORE_FILE_NAME } from '../../device-agent/src/store/db.ts';
import { successPayload, TestClient } from './client.ts';
import { registerTestStaff, signInStaff, signOutStaff, TEST_STAFF } from './staff-sign-in.ts';

const agents = inProcessAgents('onevisit-staff-');

function startAgent(): Promise<{ agent: Agent; started: StartedAgent; dataDir: string }> {
  return agents.start();
}

function connect(started: StartedAgent): Promise<TestClient> {
  return agents.connect(started);
}

/** A valid payload for every command that needs staff or a technician: a new one must be added here. */
const STAFF_COMMANDS: { [N in CommandNameWithRole<'staff' | 'technician'>]: CommandPayload<N> } = {
  'Booking.Export': { date: '2026-11-24', format: 'csv' },
  'Hall.Status': {},
  'Outbox.DeadLetters': {},
  'Outbox.Retry': { reference: 'T0001-261123-0001-7' },
  'Staff.Diagnostics': {},
  'Staff.ResetTerminal': {},
  'Staff.RestartAgent': {},
  'Staff.SignOut': {},
  'Staff.PrintTestPage': { device: 'receiptPrinter' },
  'Storage.EndExchange': { units: ['receiptPaper'], counts: {} },
  'Storage.StartExchange': { units: ['receiptPaper'] },
  'Storage.Status': {},
  'Pickup.Deposit': { reference: 'SZ-2026-0001', idNumber: '11010519491231002X', title: '居民身份证' },
  'Pickup.ListOverdue': {},
  'Pickup.Recover': { itemId: 'no-such-item' },
  'Pickup.Open': { slot: 'A01' },
  'FormUpdates.Status': {},
  'FormUpdates.Rollback': { formId: 'residence-permit' },
};

describe('Staff mode over the WebSocket', () => {
  it('a page without a staff sign-in gets unauthorized for every staff command', async () => {
    const { agent, started } = await startAgent();
    await registerTestStaff(agent);
    const page = await connect(started);
    for (const [name, payload] of Object.entries(STAFF_COMMANDS) as [keyof typeof STAFF_COMMANDS, never][]) {
      const result = await page.send(name, payload);
      expect(result.completion.header, name).toMatchObject({ completionCode: 'unauthorized', errorCode: 'staffOnly' });
      expect(result.ack, name).toBeUndefined();
    }
    // Another page's staff session is not this page's.
    const staff = await signInStaff(agent, started);
    agents.keep(staff);
    expect((await page.send('Storage.Status', {})).completion.header.errorCode).toBe('staffOnly');
    // …and while it lasts, citizen commands are refused everywhere.
    expect((await page.send('IdCard.Read', {}, { timeout: 200 })).completion.header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'staffSessionActive' });
    // A staff member is not a technician.
    expect((await staff.send('Staff.PrintTestPage', { device: 'receiptPrinter' })).completion.header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'roleRequired' });
    expect(successPayload('Staff.Session', await page.send('Staff.Session', {})).session).toMatchObject({ state: 'signedIn', name: '张静', role: 'staff' });
    expect(JSON.stringify(page.messages)).not.toContain('110105198805120026');
  });

  it('five wrong PINs lock the staff card; a citizen card is never taken for staff', async () => {
    const { agent, started } = await startAgent();
    await registerTestStaff(agent);
    const page = await connect(started);
    await page.send('Dev.InsertCard', { identity: 'standard' });
    expect(successPayload('Staff.Session', await page.send('Staff.Session', {})).session).toEqual({ state: 'none' });
    expect((await page.send('Staff.SignIn', { pin: '123456' })).completion.header.errorCode).toBe('noStaffCard');
    await page.send('Dev.RemoveCard', {});

    await page.send('Dev.InsertCard', { identity: TEST_STAFF.staff.sampleKey });
    const recognised = await page.unsolicited('Staff.CardRecognisedEvent');
    expect(recognised.payload).toEqual({ name: '张静', attemptsLeft: 5, lockedForSeconds: 0 });
    for (let left = 4; left >= 1; left -= 1) {
      const wrong = await page.send('Staff.SignIn', { pin: '000000' });
      expect(wrong.completion.header).toMatchObject({ completionCode: 'userError', errorCode: 'wrongPin' });
      expect(wrong.completion.payload).toEqual({ attemptsLeft: left });
    }
    const locked = await page.send('Staff.SignIn', { pin: '000000' });
    expect(locked.completion.header.errorCode).toBe('locked');
    expect(locked.completion.payload).toEqual({ lockedForSeconds: 60 });
    const right = await page.send('Staff.SignIn', { pin: TEST_STAFF.staff.pin });
    expect(right.completion.header.errorCode).toBe('locked');
    // Continue as a citizen instead: the card now reads as any card.
    expect((await page.send('Staff.ContinueAsCitizen', {})).completion.header.completionCode).toBe('success');
    const read = successPayload('IdCard.Read', await page.send('IdCard.Read', {}, { timeout: 5000 }));
    expect(read.identity.name).toBe('张静');
  });

  it('staff cannot get in while a citizen session is open, so StartExchange is refused during it', async () => {
    const { agent, started } = await startAgent();
    await registerTestStaff(agent);
    const citizen = await connect(started);
    await citizen.send('Dev.InsertCard', { identity: 'standard' });
    expect((await citizen.send('IdCard.Read', {}, { timeout: 5000 })).completion.header.completionCode).toBe('success');
    await citizen.send('Dev.InsertCard', { identity: TEST_STAFF.staff.sampleKey });
    const staffPage = await connect(started);
    expect((await staffPage.send('Staff.SignIn', { pin: TEST_STAFF.staff.pin })).completion.header.errorCode).toBe('noStaffCard');
    // XFS4IoT's answer while a transaction runs, from any page: transactionActive (a sequence error).
    const during = (await staffPage.send('Storage.StartExchange', { units: ['receiptPaper'] })).completion.header;
    expect([during.completionCode, during.errorCode]).toEqual(['sequenceError', 'transactionActive']);
    expect((await citizen.send('Storage.StartExchange', { units: ['receiptPaper'] })).completion.header.errorCode).toBe('transactionActive');
    // With no citizen at the terminal, the same unsigned page is told who may start one.
    await citizen.send('Dev.RemoveCard', {});
    expect((await citizen.send('Session.End', {})).completion.header.completionCode).toBe('success');
    expect((await staffPage.send('Storage.StartExchange', { units: ['receiptPaper'] })).completion.header.errorCode).toBe('staffOnly');
    expect(staffPage.messages.some((m) => m.header.name === 'Staff.CardRecognisedEvent')).toBe(false);
  });

  it('a citizen transaction keeps staff cards away, and ends with the page that declared it', async () => {
    const { agent, started } = await startAgent();
    await registerTestStaff(agent);
    const citizen = await connect(started);
    expect((await citizen.send('Common.SetTransactionState', { state: 'active' })).completion.header.completionCode).toBe('success');
    // The staff member's card placed during the transaction is a citizen's card: no PIN prompt, no staff mode.
    await citizen.send('Dev.InsertCard', { identity: TEST_STAFF.staff.sampleKey });
    const read = successPayload('IdCard.Read', await citizen.send('IdCard.Read', {}, { timeout: 5000 }));
    expect(read.identity.name).toBe('张静');
    expect(citizen.messages.some((m) => m.header.name === 'Staff.CardRecognisedEvent')).toBe(false);
    expect(successPayload('Staff.Session', await citizen.send('Staff.Session', {})).session).toEqual({ state: 'none' });
    await citizen.send('Dev.RemoveCard', {});
    // The page goes away without Session.End (a reload): its transaction ends with it, so staff get in again.
    await citizen.close();
    await vi.waitFor(() => expect(agent.services.staffMode.supplies.transactionActive).toBe(false));
    const staff = await signInStaff(agent, started);
    agents.keep(staff);
    expect(successPayload('Storage.StartExchange', await staff.send('Storage.StartExchange', { units: ['receiptPaper'] })).units[0]?.inExchange).toBe(true);
  });

  it('counts fall as receipts and A4 pages print; an exchange stops printing for citizens and EndExchange restores it', async () => {
    const { agent, started } = await startAgent();
    let staff = await signInStaff(agent, started);
    const events: unknown[] = [];
    staff.waitFor((m) => (m.header.name === 'Storage.StatusChangedEvent' ? (events.push(m.payload), false) : false), 60_000).catch(() => undefined);
    expect(successPayload('Storage.StartExchange', await staff.send('Storage.StartExchange', { units: ['receiptPaper', 'a4Paper'] })).units.every((u) => u.inExchange)).toBe(true);
    expect((await staff.send('Storage.StartExchange', { units: ['a4Paper'] })).completion.header.errorCode).toBe('exchangeActive');
    // Staff step away with the exchange open: the printers stay out of service for citizens, and Common.Status says so.
    await signOutStaff(staff);
    const citizen = await connect(started);
    const status = successPayload('Common.Status', await citizen.send('Common.Status', {}));
    expect(status.printing).toEqual({ receipt: { available: false, reason: 'exchange' }, a4: { available: false, reason: 'exchange' } });
    expect((await citizen.send('ReceiptPrinter.Print', { receipt: { blocks: [{ kind: 'text', text: 'x' }] } })).completion.header).toMatchObject({ completionCode: 'deviceNotReady', errorCode: 'offline' });

    staff = await signInStaff(agent, started);
    const ended = successPayload('Storage.EndExchange', await staff.send('Storage.EndExchange', { units: ['receiptPaper', 'a4Paper'], counts: { receiptPaper: 40_000, a4Paper: 100 } }));
    expect(ended.tests).toContainEqual({ device: 'receiptPrinter', result: 'ok' });
    const afterTest = ended.units.find((u) => u.id === 'receiptPaper')?.count ?? 0;
    expect(afterTest).toBeLessThan(40_000);
    expect(events.length).toBeGreaterThan(0);
    await signOutStaff(staff);

    expect(successPayload('Common.Status', await citizen.send('Common.Status', {})).printing).toEqual({ receipt: { available: true, reason: 'ok' }, a4: { available: true, reason: 'ok' } });
    expect((await citizen.send('ReceiptPrinter.Print', { receipt: { blocks: [{ kind: 'text', text: 'T0001-261123-0001-7' }] } })).completion.header.completionCode).toBe('success');
    const pdf = Buffer.from(minimalPdf(3)).toString('base64');
    expect((await citizen.send('Printer.PrintPdf', { pdfBase64: pdf }, { timeout: 30_000 })).completion.header.completionCode).toBe('success');

    staff = await signInStaff(agent, started);
    agents.keep(staff);
    const units = successPayload('Storage.Status', await staff.send('Storage.Status', {})).units;
    expect(units.find((u) => u.id === 'a4Paper')?.count).toBe(97);
    expect(units.find((u) => u.id === 'receiptPaper')?.count).toBeLessThan(afterTest);
  });

  it('diagnostics print on the receipt printer and return the report; reset reports what it did; restart needs a supervisor', async () => {
    const { agent, started, dataDir } = await startAgent();
    const staff = await signInStaff(agent, started);
    agents.keep(staff);
    const diagnostics = successPayload('Staff.Diagnostics', await staff.send('Staff.Diagnostics', { print: true, save: true }));
    expect(diagnostics.printed).toEqual({ result: 'ok' });
    expect(diagnostics.savedTo).toContain(path.join('diagnostics', 'diagnostics-'));
    expect(diagnostics.report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['idCardReader', 'storeIntegrity', 'auditChain', 'outbox', 'diskSpace', 'clock']));
    expect(diagnostics.report.checks.find((c) => c.id === 'receiptTestPage')?.result).toBe('skipped');
    expect(diagnostics.report.formPackages.length).toBeGreaterThan(0);
    const printed = successPayload('Dev.PrintedOutput', await staff.send('Dev.PrintedOutput', {}));
    expect(printed.receipts.at(-1)?.text).toContain('storeIntegrity');

    const reset = successPayload('Staff.ResetTerminal', await staff.send('Staff.ResetTerminal', {}, { timeout: 60_000 }));
    expect(reset.actions.map((a) => a.action)).toEqual(expect.arrayContaining(['citizenSessionEnded', 'deviceReopened', 'configReloaded', 'formsReloaded']));
    expect((await staff.send('Staff.RestartAgent', {})).completion.header).toMatchObject({ completionCode: 'unsupportedCommand', errorCode: 'notSupervised' });

    // Every staff action is in the audit chain with the staff key, never the ID number.
    const db = new Database(path.join(dataDir, STORE_FILE_NAME), { readonly: true });
    const rows = db.prepare<[], { kind: string; details: string }>("SELECT kind, details FROM audit_log WHERE kind = 'staffAction' ORDER BY seq").all();
    db.close();
    const actions = rows.map((r) => (JSON.parse(r.details) as { action: string; staff: string | null }));
    expect(actions.map((a) => a.action)).toEqual(['signIn', 'diagnostics', 'reset']);
    expect(actions.every((a) => typeof a.staff === 'string' && /^[0-9a-f]{12}$/.test(a.staff))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('110105198805120026');
  });
});
