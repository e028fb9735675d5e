import { describe, expect, it } from 'vitest';
import { COMMAND_ROLES } from '@onevisit/protocol';
import { checkRole, type Caller } from './roles.ts';

const citizen: Caller = { dev: false, staffRole: undefined, staffModeActive: false, citizenSession: 'free', launched: true };
const staffElsewhere: Caller = { dev: false, staffRole: undefined, staffModeActive: true, citizenSession: 'free', launched: true };
const staff: Caller = { dev: false, staffRole: 'staff', staffModeActive: true, citizenSession: 'free', launched: true };
const technician: Caller = { dev: true, staffRole: 'technician', staffModeActive: true, citizenSession: 'free', launched: true };

describe('checkRole', () => {
  it('is the role table of DESIGN.md', () => {
    const table = Object.fromEntries(
      COMMAND_ROLES.map((role) => [role, [citizen, staffElsewhere, staff, technician].map((c) => checkRole(role, 'X.Y', c)?.errorCode ?? 'ok')]),
    );
    expect(table).toEqual({
      none: ['ok', 'ok', 'ok', 'ok'],
      citizen: ['ok', 'staffSessionActive', 'staffSessionActive', 'staffSessionActive'],
      staff: ['staffOnly', 'staffOnly', 'ok', 'ok'],
      technician: ['staffOnly', 'staffOnly', 'roleRequired', 'ok'],
      dev: ['devOnly', 'devOnly', 'devOnly', 'ok'],
    });
    expect(checkRole('staff', 'X.Y', citizen)?.completionCode).toBe('unauthorized');
    expect(checkRole('dev', 'X.Y', citizen)?.completionCode).toBe('unsupportedCommand');
  });
});
