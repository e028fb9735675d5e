import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COMMAND_ROLES, defineCommand } from './spec.ts';
import { commands, roleOf, type CommandName, type CommandNameWithRole } from './registry.ts';

describe('command roles', () => {
  it('every command declares one of the roles', () => {
    for (const [name, spec] of Object.entries(commands)) {
      expect(COMMAND_ROLES, name).toContain(spec.role);
      expect(spec.devOnly, name).toBe(spec.role === 'dev');
    }
  });

  it('a command without a role does not compile', () => {
    // @ts-expect-error role is required, with no default
    const spec = defineCommand({ description: 'x', payload: z.object({}), completion: z.object({}), events: {}, errors: {} });
    expect(spec.role).toBeUndefined();
  });

  it('staff commands are the ones issues 12, 13, 14 and 16 name, and only Dev.* and the sample scan are dev', () => {
    const byRole = (role: string): string[] =>
      (Object.keys(commands) as CommandName[])
        .filter((n) => roleOf(n) === role)
        .sort();
    const staff: CommandNameWithRole<'staff'>[] = [
      'Booking.Export',
      'FormUpdates.Status',
      'Hall.Status',
      'Outbox.DeadLetters',
      'Outbox.Retry',
      'Pickup.Deposit',
      'Pickup.ListOverdue',
      'Pickup.Recover',
      'Staff.Diagnostics',
      'Staff.ResetTerminal',
      'Staff.RestartAgent',
      'Staff.SignOut',
      'Storage.EndExchange',
      'Storage.StartExchange',
      'Storage.Status',
    ];
    expect(byRole('staff')).toEqual(staff);
    // Rolling a form update back by hand is a technician's (issue 16), like opening any compartment and test prints.
    expect(byRole('technician')).toEqual(['FormUpdates.Rollback', 'Pickup.Open', 'Staff.PrintTestPage']);
    expect(byRole('dev').every((n) => n.startsWith('Dev.') || n === 'Scanner.PlaceSampleDocument')).toBe(true);
    // Whatever reads a card, prints or keeps personal data is the citizen's, never `none`.
    for (const name of ['IdCard.Read', 'Forms.Fill', 'Forms.Submit', 'Printer.PrintPdf', 'ReceiptPrinter.Print', 'Booking.Reserve', 'Scanner.Scan'] as const) {
      expect(roleOf(name), name).toBe('citizen');
    }
  });
});
