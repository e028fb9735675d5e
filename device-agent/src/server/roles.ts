import type { CommandRole, CompletionCode, StaffRole } from '@onevisit/protocol';

/** Who is asking, as far as roles go. */
export type Caller = {
  /** The agent runs with --dev (demo, tests). */
  readonly dev: boolean;
  /** The staff role of this connection when a staff member signed in on it. */
  readonly staffRole: StaffRole | undefined;
  /** A staff card waits for its PIN or a staff member is signed in (on any connection). */
  readonly staffModeActive: boolean;
  /** Whether this connection owns the citizen session, nobody does, or another connection does (citizen-session.ts). */
  readonly citizenSession: 'owner' | 'free' | 'elsewhere';
  /** The connection presented the launch secret, or the agent needs none (the demo, tests). */
  readonly launched: boolean;
};

export type RoleRefusal = {
  readonly completionCode: Exclude<CompletionCode, 'success'>;
  readonly errorCode: 'devOnly' | 'staffOnly' | 'roleRequired' | 'staffSessionActive' | 'sessionElsewhere' | 'launchSecretRequired' | 'transactionActive';
  readonly errorDescription: string;
};

/**
 * The one role check of the dispatch (DESIGN.md "Who may do what"; every command's `role` is in the
 * protocol registry). Undefined: the command may run. The agent enforces this, never the UI.
 * `citizen` also means "the connection that owns the citizen session, or any when none is open"
 * (issue 11, citizen-session.ts).
 */
export function checkRole(role: CommandRole, name: string, caller: Caller): RoleRefusal | undefined {
  // Outside the demo only the terminal's own kiosk browser (launch-secret.ts) reads cards, prints,
  // submits or works as staff: a local process with just the page token gets role-none commands.
  if (!caller.launched && (role === 'citizen' || role === 'staff' || role === 'technician')) {
    return { completionCode: 'unauthorized', errorCode: 'launchSecretRequired', errorDescription: `${name} is only for the terminal's own kiosk browser: this connection did not present the launch secret.` };
  }
  switch (role) {
    case 'none':
      return undefined;
    case 'citizen':
      if (caller.staffModeActive) {
        return { completionCode: 'unauthorized', errorCode: 'staffSessionActive', errorDescription: `${name} is for citizens; staff mode is on at this terminal. Sign out of staff mode first.` };
      }
      return caller.citizenSession === 'elsewhere'
        ? { completionCode: 'unauthorized', errorCode: 'sessionElsewhere', errorDescription: `${name} is refused: another page owns the citizen session at this terminal.` }
        : undefined;
    case 'staff':
      return caller.staffRole === undefined ? { completionCode: 'unauthorized', errorCode: 'staffOnly', errorDescription: `${name} is for hall staff: sign in with a staff card and PIN.` } : undefined;
    case 'technician':
      if (caller.staffRole === undefined) return { completionCode: 'unauthorized', errorCode: 'staffOnly', errorDescription: `${name} is for hall staff: sign in with a staff card and PIN.` };
      return caller.staffRole === 'technician'
        ? undefined
        : { completionCode: 'unauthorized', errorCode: 'roleRequired', errorDescription: `${name} needs a technician; the signed-in staff member is not one.` };
    case 'dev':
      return caller.dev ? undefined : { completionCode: 'unsupportedCommand', errorCode: 'devOnly', errorDescription: `${name} is available only when the agent runs with --dev.` };
    default: {
      const unreachable: never = role;
      return unreachable;
    }
  }
}
