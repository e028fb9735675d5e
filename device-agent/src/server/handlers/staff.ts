import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatShanghaiIsoMs, type DiagnosticsReport } from '@onevisit/protocol';
import { reportReceipt, TEST_RECEIPT } from '../../services/staff/diagnostics.ts';
import { abortedOutcome, failure, success, type CommandContext, type HandlersFor } from '../handler.ts';
import { mapPrintResult } from './print-outcome.ts';
import { minimalPdf } from '../../devices/printer/test-pdf.ts';

async function saveReport(dataDir: string, report: DiagnosticsReport): Promise<string> {
  const dir = path.join(dataDir, 'diagnostics');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `diagnostics-${report.generatedAt.replace(/[:.]/g, '').replace('+', '_')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
  return file;
}

function technician(ctx: CommandContext<'Staff.Diagnostics'>): boolean {
  return ctx.services.staff.roleOf(ctx.connection.id) === 'technician';
}

/**
 * Staff.* (issue 12): sign-in with the card on the reader and a PIN, the staff session, reset, restart,
 * diagnostics. Roles are checked by the dispatch (server/roles.ts) before any of these runs.
 */
export const staffHandlers: HandlersFor<'Staff'> = {
  'Staff.Session': (ctx) => Promise.resolve(success<'Staff.Session'>({ session: ctx.services.staff.session() })),

  'Staff.SignIn': async (ctx) => {
    const outcome = await ctx.services.staff.signIn(ctx.payload.pin, ctx.connection.id);
    switch (outcome.kind) {
      case 'signedIn':
        return success<'Staff.SignIn'>({ session: outcome.session });
      case 'noStaffCard':
        return failure<'Staff.SignIn'>('sequenceError', 'noStaffCard', 'No registered staff card is on the reader.');
      case 'wrongPin':
        return failure<'Staff.SignIn'>('userError', 'wrongPin', 'Wrong PIN.', { attemptsLeft: outcome.attemptsLeft });
      case 'locked':
        return failure<'Staff.SignIn'>('userError', 'locked', 'Too many wrong PINs: this staff card is locked for a while.', { lockedForSeconds: outcome.lockedForSeconds });
      case 'registerUnavailable':
        return failure<'Staff.SignIn'>('hardwareError', 'registerUnavailable', 'The staff register cannot be read.');
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  },

  'Staff.SignOut': (ctx) => {
    ctx.services.staff.signOut(ctx.connection.id);
    return Promise.resolve(success<'Staff.SignOut'>({}));
  },

  'Staff.ContinueAsCitizen': (ctx) =>
    Promise.resolve(
      ctx.services.staff.continueAsCitizen()
        ? success<'Staff.ContinueAsCitizen'>({})
        : failure<'Staff.ContinueAsCitizen'>('sequenceError', 'noStaffCard', 'No staff card is waiting and nobody is signed in as staff.'),
    ),

  'Staff.ResetTerminal': async (ctx) => {
    const actions = await ctx.services.staffMode.reset();
    ctx.services.staff.audit('reset', ctx.connection.id, { actions: actions.length, failed: actions.filter((a) => a.result === 'failed').length });
    return success<'Staff.ResetTerminal'>({ actions });
  },

  'Staff.RestartAgent': (ctx) => {
    if (!ctx.services.staffMode.supervised) {
      return Promise.resolve(failure<'Staff.RestartAgent'>('unsupportedCommand', 'notSupervised', 'Nothing would start the agent again: it was not started by npm start (scripts/start.mjs).'));
    }
    ctx.services.staff.audit('restart', ctx.connection.id);
    ctx.services.staffMode.requestRestart();
    return Promise.resolve(success<'Staff.RestartAgent'>({ graceMs: 3000 }));
  },

  'Staff.Diagnostics': async (ctx) => {
    const report = await ctx.services.staffMode.diagnostics(technician(ctx));
    let printed: { result: 'ok' | 'failed' | 'skipped'; code?: string } = { result: 'skipped' };
    if (ctx.payload?.print === true) {
      const result = await ctx.services.devices.receiptPrinter.print(reportReceipt(report), { signal: ctx.signal });
      printed = result.kind === 'printed' ? { result: 'ok' } : { result: 'failed', code: result.kind };
    }
    const savedTo = ctx.payload?.save === true ? await saveReport(ctx.services.config.dataDir, report) : null;
    ctx.services.staff.audit('diagnostics', ctx.connection.id, { ready: report.ready, printed: printed.result, saved: savedTo !== null });
    return success<'Staff.Diagnostics'>({ report, printed, savedTo });
  },

  'Staff.PrintTestPage': async (ctx) => {
    const device = ctx.payload.device;
    const result =
      device === 'receiptPrinter'
        ? await ctx.services.devices.receiptPrinter.print(TEST_RECEIPT, { signal: ctx.signal })
        : await ctx.services.devices.printer.printPdf(minimalPdf(1, `OneVisit test page ${formatShanghaiIsoMs(ctx.services.clock.now())}`), { title: 'OneVisit test page', signal: ctx.signal });
    ctx.services.staff.audit('testPrint', ctx.connection.id, { device, result: result.kind });
    if (result.kind === 'printed') return success<'Staff.PrintTestPage'>({ device });
    const mapped = mapPrintResult(result);
    if (mapped.kind === 'canceled') return abortedOutcome<'Staff.PrintTestPage'>(ctx.signal);
    return failure<'Staff.PrintTestPage'>(mapped.completionCode, mapped.errorCode, mapped.description, mapped.payload);
  },
};
