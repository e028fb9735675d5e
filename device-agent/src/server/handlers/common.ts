import { commands, formatShanghaiIsoMs, PROTOCOL_VERSION, type AgentInfo, type AgentWarning, type CommandName, type CommandRole } from '@onevisit/protocol';
import type { AgentServices } from '../../services.ts';
import { cabinetWarnings } from '../../services/pickup/cabinet-units.ts';
import { AGENT_VERSION } from '../../version.ts';
import { failure, success, type HandlersFor } from '../handler.ts';

export function agentInfo(services: AgentServices): AgentInfo {
  return {
    version: AGENT_VERSION,
    terminalId: services.terminalId,
    dev: services.dev,
    demo: services.config.demo,
    time: formatShanghaiIsoMs(services.clock.now()),
    idleTimeoutMs: services.idleTimeoutMs,
    idleCountdownMs: services.idleCountdownMs,
  };
}

/** Services and their commands, as Common.Capabilities reports them (dev-only commands only in dev mode). */
type CapabilityCommand = { name: string; versions: string[]; devOnly: boolean; role: CommandRole; description: string };

export function capabilities(dev: boolean): { name: string; commands: CapabilityCommand[] }[] {
  const services = new Map<string, CapabilityCommand[]>();
  for (const name of Object.keys(commands) as CommandName[]) {
    const spec = commands[name];
    if (spec.devOnly && !dev) continue;
    const service = name.slice(0, name.indexOf('.'));
    const list = services.get(service) ?? [];
    list.push({ name, versions: [spec.version], devOnly: spec.devOnly, role: spec.role, description: spec.description });
    services.set(service, list);
  }
  return [...services.entries()].map(([name, list]) => ({ name, commands: list }));
}

export const commonHandlers: HandlersFor<'Common'> = {
  'Common.Authenticate': (ctx) =>
    Promise.resolve(
      ctx.connection.authenticate(ctx.payload.token, ctx.payload.launchSecret)
        ? success<'Common.Authenticate'>({ agent: agentInfo(ctx.services) })
        : failure<'Common.Authenticate'>('unauthorized', 'badToken', 'The token does not match this agent. Reload the page served by the agent.'),
    ),

  'Common.Status': (ctx) =>
    Promise.resolve(
      success<'Common.Status'>({
        agent: agentInfo(ctx.services),
        devices: ctx.services.devices.all().map((d) => d.status()),
        warnings: agentWarnings(ctx.services),
        supplies: ctx.services.staffMode.supplies.summaries(),
        printing: ctx.services.staffMode.supplies.printing(),
      }),
    ),

  'Common.Capabilities': (ctx) =>
    Promise.resolve(success<'Common.Capabilities'>({ protocolVersion: PROTOCOL_VERSION, services: capabilities(ctx.services.dev) })),

  'Common.SetTransactionState': (ctx) => {
    ctx.services.staffMode.supplies.setTransactionActive(ctx.payload.state === 'active');
    return Promise.resolve(success<'Common.SetTransactionState'>({}));
  },

  'Common.Cancel': (ctx) => {
    const { requestId, requestIds } = ctx.payload ?? {};
    const named = requestIds ?? (requestId !== undefined ? [requestId] : undefined);
    const canceled = ctx.connection.cancel(named, ctx.requestId);
    return Promise.resolve(success<'Common.Cancel'>({ canceled }));
  },
};

/** What staff must act on besides the devices (Common.Status `warnings`). */
export function agentWarnings(services: AgentServices): AgentWarning[] {
  const warnings: AgentWarning[] = [];
  const holidays = services.booking.holidayStatus();
  if (holidays.missingYears.length > 0) {
    warnings.push({
      code: 'holidayDataMissing',
      detail: `No statutory holiday data for ${holidays.missingYears.join(', ')}: those days cannot be booked until the hall adds <data-dir>/booking/holidays/<year>.json.`,
    });
  }
  if (services.hallStatus.hallDbUnreachable()) {
    warnings.push({
      code: 'hallDatabaseUnreachable',
      detail: 'The hall database does not answer: booking, check-in and the hall overview are unavailable here; applications and pickup go on. The agent reconnects by itself.',
    });
  }
  for (const refusal of services.formsUpdate.refusals()) {
    warnings.push({ code: 'formUpdateRefused', detail: `Form update ${refusal.formId} ${refusal.version} refused, ${refusal.formId} stays on the version it runs: ${refusal.reason}`.slice(0, 500) });
  }
  for (const rolled of services.formsUpdate.autoRollbacks()) {
    warnings.push({ code: 'formRolledBack', detail: `Form update ${rolled.formId} ${rolled.version} was rolled back by itself and is not installed again: ${rolled.reason}`.slice(0, 500) });
  }
  if (services.hallStatus.terminalIdTaken()) {
    warnings.push({
      code: 'terminalIdInUse',
      detail: `Another terminal of this hall reports under the terminal id ${services.terminalId}: this terminal is missing from the hall overview. Give it its own id (--terminal-id or the config file) and restart it.`,
    });
  }
  const accept = services.submissions.canAccept();
  if (!accept.ok) {
    // Where the fault is, for whoever fixes it: the data folder for every storage reason (a path, never personal data).
    const where = accept.reason === 'noKey' ? 'no back office key (--backoffice-key)' : `data folder ${services.config.dataDir}`;
    warnings.push({ code: 'submissionsOutOfService', detail: `Applications are refused (${accept.reason}: ${where}); nothing already accepted is affected.`.slice(0, 500) });
  }
  const deadLetters = services.submissions.status().counts.deadLetter;
  if (deadLetters > 0) {
    warnings.push({
      code: 'submissionsRefusedByIntake',
      detail: `${deadLetters} submission(s) refused by the intake or conflicting with a file it holds; they are kept sealed on this terminal: see Outbox.DeadLetters and call the back office.`,
    });
  }
  for (const unit of services.staffMode.supplies.units()) {
    const label = unit.kind === 'receiptPaper' ? 'Receipt paper' : unit.kind === 'a4Paper' ? 'A4 paper' : `Compartment ${unit.id}`;
    if (unit.state === 'low') warnings.push({ code: 'supplyLow', detail: `${label} is low (${unit.count ?? '?'} ${unit.countUnit} left): restock soon.` });
    else if (unit.state === 'empty') warnings.push({ code: 'supplyEmpty', detail: `${label} is empty: restock it (start an exchange on ${unit.id}).` });
    else if (unit.state === 'manipulated') warnings.push({ code: 'supplyManipulated', detail: `${label} was opened outside an exchange: end an exchange on ${unit.id} with the real count.` });
  }
  // Faults and items to check are kept in the store (they outlive a restart); the door and
  // unexpected-item warnings live in PickupWarnings until the sensors read them settled.
  const compartments = services.pickup.compartments();
  const checks = services.pickup.listNeedsCheck();
  const passing = services.pickupWarnings.current(compartments, new Set(checks.map((item) => item.itemId))).filter((w) => w.kind !== 'needsCheck' && w.kind !== 'lockFailed');
  warnings.push(
    ...cabinetWarnings([
      ...passing,
      ...compartments.filter((c) => c.state === 'fault').map((c) => ({ kind: 'lockFailed' as const, slot: c.slot })),
      ...checks.map((item) => ({ kind: 'needsCheck' as const, slot: item.slot, itemId: item.itemId })),
    ]),
  );
  return warnings;
}
