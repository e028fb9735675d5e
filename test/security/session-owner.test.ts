import { afterEach, describe, expect, it } from 'vitest';
import { checkRole } from '../../device-agent/src/server/roles.ts';
import { TestClient } from '../integration/client.ts';
import { startServer, TEST_TOKEN, type RunningServer } from './harness.ts';

/** Issue 11: one page owns the citizen session; a second authenticated connection cannot use it. */

const running: RunningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop();
});

async function twoPages(): Promise<[TestClient, TestClient]> {
  const server = await startServer();
  running.push(server);
  return [await TestClient.authenticated(server.url, TEST_TOKEN), await TestClient.authenticated(server.url, TEST_TOKEN)];
}

describe('the citizen session has one owner', () => {
  it('refuses card reads, bookings and printing to a second connection while the session is open', async () => {
    const [kiosk, attacker] = await twoPages();
    expect((await kiosk.send('Booking.Find', {})).completion.header.errorCode).not.toBe('sessionElsewhere');
    for (const name of ['IdCard.Read', 'Booking.Find', 'Application.List'] as const) {
      const result = await attacker.send(name, {});
      expect(result.completion.header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'sessionElsewhere' });
      expect(result.ack).toBeUndefined();
    }
    // Session.End from the attacker does not end the kiosk's session.
    await attacker.send('Session.End');
    expect((await attacker.send('Booking.Find', {})).completion.header.errorCode).toBe('sessionElsewhere');
    // Once the owner ends it, the next page may start one.
    await kiosk.send('Session.End');
    expect((await attacker.send('Booking.Find', {})).completion.header.errorCode).not.toBe('sessionElsewhere');
    await attacker.close();
    // A disconnect ends the ownership too.
    expect((await kiosk.send('Booking.Find', {})).completion.header.errorCode).not.toBe('sessionElsewhere');
    await kiosk.close();
  });

  it('is part of the one role check (roles.ts)', () => {
    expect(checkRole('citizen', 'IdCard.Read', { dev: true, staffRole: undefined, staffModeActive: false, citizenSession: 'elsewhere', launched: true })?.errorCode).toBe('sessionElsewhere');
    expect(checkRole('none', 'Common.Status', { dev: true, staffRole: undefined, staffModeActive: false, citizenSession: 'elsewhere', launched: true })).toBeUndefined();
  });
});
