import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StaffSession, StorageUnit } from '@onevisit/protocol';
import { FAKE_AGENT_INFO, FakeAgent } from '../../agent/fake-agent.ts';
import { StaffMode, staffIdleTimes } from './staff-mode.svelte.ts';

const SIGNED_IN: Extract<StaffSession, { state: 'signedIn' }> = {
  state: 'signedIn',
  name: '张静',
  role: 'staff',
  startedAt: '2026-03-02T10:00:00+08:00',
  expiresAt: '2026-03-02T22:00:00+08:00',
  idleTimeoutMs: 300_000,
  idleCountdownMs: 15_000,
  endsOnCardRemoval: false,
};

function receiptUnit(overrides: Partial<StorageUnit> = {}): StorageUnit {
  return {
    id: 'receiptPaper',
    kind: 'receiptPaper',
    device: 'receiptPrinter',
    countUnit: 'mm',
    count: 0,
    initialCount: 50_000,
    thresholds: { low: 5_000, empty: 300 },
    maxCount: 50_000,
    state: 'empty',
    sensor: 'out',
    inExchange: false,
    lastExchangeAt: null,
    ...overrides,
  };
}

describe('StaffMode against a fake agent', () => {
  let agent: FakeAgent;
  let staff: StaffMode;
  let left: number;
  let asCitizen: number;
  let armedWith: number | undefined;

  beforeEach(async () => {
    await import('../../agent/validator.ts');
    agent = new FakeAgent();
    left = 0;
    asCitizen = 0;
    armedWith = undefined;
    agent.answer('Common.Status', () => ({ payload: { agent: FAKE_AGENT_INFO, devices: [], warnings: [{ code: 'supplyEmpty', detail: 'receiptPaper' }] } }));
    agent.answer('Storage.Status', () => ({ payload: { units: [receiptUnit()], exchange: null } }));
    agent.answer('Outbox.Status', () => ({ payload: { canAccept: true, outOfServiceReason: null, delivery: 'folder', counts: { pending: 2, delivered: 5, deadLetter: 1 }, oldestPendingAt: '2026-03-02T09:00:00+08:00', deadLetters: [] } }));
    agent.answer('Booking.Export', ({ date }) => ({ payload: { date, format: 'csv', contentType: 'text/csv', filename: 'b.csv', count: 3, content: '' } }));
    agent.answer('Staff.SignOut', () => ({ payload: {} }));
    agent.answer('Staff.ContinueAsCitizen', () => ({ payload: {} }));
    await agent.connect();
    staff = new StaffMode({
      client: agent.client,
      today: () => '2026-03-02',
      signedIn: (session) => {
        armedWith = session.idleTimeoutMs;
      },
      left: () => {
        left += 1;
      },
      continueAsCitizen: () => {
        asCitizen += 1;
      },
    });
  });

  async function enter(pin: string): Promise<void> {
    for (const digit of pin) staff.press(digit);
    await agent.settle();
  }

  async function signIn(): Promise<void> {
    staff.recognised({ name: '张静', attemptsLeft: 5, lockedForSeconds: 0 });
    agent.answer('Staff.SignIn', () => ({ payload: { session: SIGNED_IN } }));
    await enter('123456');
    expect(staff.step.name).toBe('dashboard');
  }

  it('asks for the PIN, shows attempts left after a wrong one, and the lockout', async () => {
    staff.recognised({ name: '张静', attemptsLeft: 5, lockedForSeconds: 0 });
    agent.answer('Staff.SignIn', () => ({ completionCode: 'unauthorized', errorCode: 'wrongPin', payload: { attemptsLeft: 4 } }));
    await enter('111111');
    expect(staff.step).toMatchObject({ name: 'pin', attemptsLeft: 4, wrong: true, digits: '' });
    agent.answer('Staff.SignIn', () => ({ completionCode: 'unauthorized', errorCode: 'locked', payload: { lockedForSeconds: 60 } }));
    await enter('222222');
    expect(staff.step).toMatchObject({ name: 'pin', lockedForSeconds: 60 });
    // Locked: the pad takes no digits and nothing is sent.
    staff.press('1');
    expect(staff.step).toMatchObject({ digits: '' });
    expect(agent.payloads('Staff.SignIn')).toEqual([{ pin: '111111' }, { pin: '222222' }]);
    expect(staff.signedIn).toBe(false);
  });

  it('counts a lockout down each second and opens the pad again when the agent says the attempts are back', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      staff.recognised({ name: '张静', attemptsLeft: 0, lockedForSeconds: 3 });
      expect(staff.step).toMatchObject({ name: 'pin', lockedForSeconds: 3 });
      vi.advanceTimersByTime(1000);
      expect(staff.step).toMatchObject({ lockedForSeconds: 2 });
      agent.answer('Staff.Session', () => ({ payload: { session: { state: 'pinWanted', name: '张静', attemptsLeft: 5, lockedForSeconds: 0 } } }));
      vi.advanceTimersByTime(2000);
      expect(staff.step).toMatchObject({ lockedForSeconds: 0 });
      await agent.settle();
      expect(agent.names()).toContain('Staff.Session');
      expect(staff.step).toMatchObject({ name: 'pin', attemptsLeft: 5, lockedForSeconds: 0, wrong: false });
      agent.answer('Staff.SignIn', () => ({ payload: { session: SIGNED_IN } }));
      await enter('123456');
      expect(staff.step.name).toBe('dashboard');
    } finally {
      vi.useRealTimers();
    }
  });

  it('the booking export keeps the day, the count and the file name, never the content', async () => {
    await signIn();
    agent.answer('Booking.Export', ({ date }) => ({ payload: { date, format: 'csv', contentType: 'text/csv', filename: `bookings-${date}.csv`, count: 2, content: 'code,masked_name\r\nB1,张*\r\n' } }));
    expect(staff.exports.days()).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
    staff.open('export');
    await agent.settle();
    expect(staff.exports.result).toEqual({ date: '2026-03-02', format: 'csv', count: 2, filename: 'bookings-2026-03-02.csv' });
    await staff.exports.load('2026-03-03');
    expect(staff.exports.result?.date).toBe('2026-03-03');
    expect(JSON.stringify(staff.exports.result)).not.toContain('张');
    agent.answer('Booking.Export', () => ({ completionCode: 'hardwareError', errorCode: 'bookingUnavailable', payload: {} }));
    await staff.exports.load('2026-03-04');
    expect(staff.exports.problem).toBe('bookingUnavailable');
    await staff.signOut();
    expect(staff.exports.result).toBeUndefined();
  });

  it('prints a technician test page and says why one failed; restarting asks first and says when nothing would restart the agent', async () => {
    staff.recognised({ name: '刘强', attemptsLeft: 5, lockedForSeconds: 0 });
    agent.answer('Staff.SignIn', () => ({ payload: { session: { ...SIGNED_IN, name: '刘强', role: 'technician' } } }));
    await enter('654321');
    agent.answer('Staff.PrintTestPage', ({ device }) => (device === 'receiptPrinter' ? { payload: { device } } : { completionCode: 'deviceNotReady', errorCode: 'paperOut', payload: { partial: false } }));
    await staff.tools.printTestPage('receiptPrinter');
    await staff.tools.printTestPage('printer');
    expect(staff.tools.testPages).toEqual({ receiptPrinter: 'ok', printer: 'paperOut' });

    await staff.tools.restartAgent();
    expect(agent.names()).not.toContain('Staff.RestartAgent');
    staff.tools.askRestart();
    agent.answer('Staff.RestartAgent', () => ({ completionCode: 'unsupportedCommand', errorCode: 'notSupervised', payload: {} }));
    await staff.tools.restartAgent();
    expect(staff.tools.restart).toEqual({ stage: 'failed', problem: 'notSupervised' });
    staff.tools.askRestart();
    agent.answer('Staff.RestartAgent', () => ({ payload: { graceMs: 3000 } }));
    await staff.tools.restartAgent();
    expect(staff.tools.restart).toEqual({ stage: 'restarting', graceMs: 3000 });
  });

  it('signs in with the right PIN and loads the dashboard (supplies, warnings, outbox, today\'s bookings)', async () => {
    await signIn();
    expect(armedWith).toBe(300_000);
    expect(staff.who).toEqual({ name: '张静', role: 'staff' });
    expect(staff.units.map((u) => u.state)).toEqual(['empty']);
    expect(staff.warnings.map((w) => w.code)).toEqual(['supplyEmpty']);
    expect(staff.outbox).toEqual({ pending: 2, failed: 1, oldestPendingAt: '2026-03-02T09:00:00+08:00' });
    expect(staff.bookingsToday).toBe(3);
    expect(agent.payloads('Booking.Export')).toEqual([{ date: '2026-03-02', format: 'csv' }]);
  });

  it('lists the hall\'s terminals on the dashboard (Hall.Status), and says so when the hall database does not answer', async () => {
    const report = { agentVersion: '0.1.0', devices: [], supplies: [], warnings: [], outboxBacklog: 0, forms: [] };
    agent.answer('Hall.Status', () => ({
      payload: {
        terminals: [
          { terminalId: 'T0001', reportedAt: '2026-03-02T09:00:00+08:00', silent: false, report },
          { terminalId: 'T0002', reportedAt: '2026-03-02T08:58:00+08:00', silent: true, report },
        ],
      },
    }));
    await signIn();
    expect(staff.hall.state === 'listed' && staff.hall.terminals.map((t) => [t.terminalId, t.silent])).toEqual([
      ['T0001', false],
      ['T0002', true],
    ]);
    agent.answer('Hall.Status', () => ({ completionCode: 'deviceNotReady', errorCode: 'hallDbUnavailable' }));
    staff.open('dashboard');
    await agent.settle();
    expect(staff.hall).toEqual({ state: 'unavailable' });
  });

  it('runs the refill: start exchange, work, counts, end exchange with the test print', async () => {
    await signIn();
    agent.answer('Storage.StartExchange', () => ({ payload: { units: [receiptUnit({ inExchange: true })] } }));
    agent.answer('Storage.EndExchange', ({ counts }) => ({
      payload: { units: [receiptUnit({ count: counts['receiptPaper'] ?? 0, state: 'ok', sensor: 'ok' })], tests: [{ device: 'receiptPrinter', result: 'ok' }] },
    }));
    staff.open('restock');
    await staff.startExchange('receiptPaper');
    expect(staff.step).toMatchObject({ name: 'restock', stage: 'work', unit: 'receiptPaper' });
    staff.workDone();
    expect(staff.step).toMatchObject({ stage: 'counts', digits: '50000' });
    staff.erase();
    staff.erase();
    staff.erase();
    staff.erase();
    staff.press('0');
    expect(staff.step).toMatchObject({ stage: 'counts', digits: '50' });
    await staff.endExchange();
    expect(agent.payloads('Storage.EndExchange')).toEqual([{ units: ['receiptPaper'], counts: { receiptPaper: 50 } }]);
    expect(staff.step).toMatchObject({ stage: 'done', tests: [{ device: 'receiptPrinter', result: 'ok' }] });
    expect(staff.units[0]?.state).toBe('ok');
  });

  it('says why an exchange could not start (a citizen is busy) and stays on the choice', async () => {
    await signIn();
    agent.answer('Storage.StartExchange', () => ({ completionCode: 'sequenceError', errorCode: 'transactionActive' }));
    staff.open('restock');
    await staff.startExchange('receiptPaper');
    expect(staff.problem).toBe('transactionActive');
    expect(staff.step).toMatchObject({ name: 'restock', stage: 'choose' });
  });

  it('maps a role refusal to "not signed in"', async () => {
    await signIn();
    agent.answer('Staff.ResetTerminal', () => ({ completionCode: 'unauthorized', errorCode: 'staffOnly' }));
    staff.open('reset');
    await staff.resetTerminal();
    expect(staff.problem).toBe('notSignedIn');
  });

  it('retries a failed delivery by reference and drops it from the list', async () => {
    await signIn();
    agent.answer('Outbox.DeadLetters', () => ({
      payload: { deadLetters: [{ reference: 'T0001-260302-0001-K', formId: 'demo', acceptedAt: '2026-03-02T09:00:00+08:00', attempts: 3, httpStatus: 422, errorCode: null }] },
    }));
    agent.answer('Outbox.Retry', ({ reference }) => ({ payload: { reference, state: 'pending' } }));
    staff.open('deliveries');
    await agent.settle();
    expect(staff.deadLetters).toHaveLength(1);
    await staff.retry('T0001-260302-0001-K');
    expect(staff.deadLetters).toEqual([]);
    expect(staff.retried).toEqual(['T0001-260302-0001-K']);
  });

  it('signs out, forgets everything and leaves; continue-as-citizen tells the agent', async () => {
    await signIn();
    await staff.signOut();
    expect(agent.names()).toContain('Staff.SignOut');
    expect(left).toBe(1);
    expect(staff.step.name).toBe('none');
    expect(staff.units).toEqual([]);
    expect(staff.who).toBeUndefined();
    staff.recognised({ name: '张静', attemptsLeft: 5, lockedForSeconds: 0 });
    await staff.continueAsCitizen();
    expect(agent.names()).toContain('Staff.ContinueAsCitizen');
    expect(asCitizen).toBe(1);
    expect(staff.active).toBe(false);
  });
});

describe('staffIdleTimes', () => {
  it('ends the kiosk countdown before the agent’s idle limit, counted from a keep-alive up to one interval old', () => {
    for (const [idleTimeoutMs, idleCountdownMs] of [[300_000, 30_000], [300_000, 15_000], [30_000, 30_000], [3_600_000, 120_000]] as const) {
      const times = staffIdleTimes({ idleTimeoutMs, idleCountdownMs });
      expect(times.countdownMs).toBeGreaterThan(0);
      expect(times.timeoutMs).toBeGreaterThan(0);
      // Last touch at 0, last keep-alive at -keepAliveMs at worst: the agent ends at idleTimeoutMs - keepAliveMs.
      expect(times.timeoutMs + times.countdownMs).toBeLessThanOrEqual(idleTimeoutMs - times.keepAliveMs);
    }
    expect(staffIdleTimes({ idleTimeoutMs: 300_000, idleCountdownMs: 30_000 })).toEqual({ timeoutMs: 240_000, countdownMs: 30_000, keepAliveMs: 30_000 });
  });
});
