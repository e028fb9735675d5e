import { isoWithOffset } from '../../clock.ts';
import { commands, PROTOCOL_VERSION, type AgentInfo, type AgentWarning, type CommandName } from '../../protocol/index.ts';
import type { AgentServices } from '../../services.ts';
import { AGENT_VERSION } from '../../version.ts';
import { failure, success, type HandlersFor } from '../handler.ts';

export function agentInfo(services: AgentServices): AgentInfo {
  return {
    version: AGENT_VERSION,
    terminalId: services.terminalId,
    dev: services.dev,
    time: isoWithOffset(services.clock.now()),
    idleTimeoutMs: services.idleTimeoutMs,
    idleCountdownMs: services.idleCountdownMs,
  };
}

/** Services and their commands, as Common.Capabilities reports them (dev-only commands only in dev mode). */
export function capabilities(dev: boolean): { name: string; commands: { name: string; versions: string[]; devOnly: boolean; description: string }[] }[] {
  const services = new Map<string, { name: string; versions: string[]; devOnly: boolean; description: string }[]>();
  for (const name of Object.keys(commands) as CommandName[]) {
    const spec = commands[name];
    if (spec.devOnly && !dev) continue;
    const service = name.slice(0, name.indexOf('.'));
    const list = services.get(service) ?? [];
    list.push({ name, versions: [spec.version], devOnly: spec.devOnly, description: spec.description });
    services.set(service, list);
  }
  return [...services.entries()].map(([name, list]) => ({ name, commands: list }));
}

export const commonHandlers: HandlersFor<'Common'> = {
  'Common.Authenticate': (ctx) =>
    Promise.resolve(
      ctx.connection.authenticate(ctx.payload.token)
        ? success<'Common.Authenticate'>({ agent: agentInfo(ctx.services) })
        : failure<'Common.Authenticate'>('unauthorized', 'badToken', 'The token does not match this agent. Reload the page served by the agent.'),
    ),

  'Common.Status': (ctx) =>
    Promise.resolve(
      success<'Common.Status'>({ agent: agentInfo(ctx.services), devices: ctx.services.devices.all().map((d) => d.status()), warnings: agentWarnings(ctx.services) }),
    ),

  'Common.Capabilities': (ctx) =>
    Promise.resolve(success<'Common.Capabilities'>({ protocolVersion: PROTOCOL_VERSION, services: capabilities(ctx.services.dev) })),

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
  const holidays = services.booking?.holidayStatus();
  if (holidays !== undefined && holidays.missingYears.length > 0) {
    warnings.push({
      code: 'holidayDataMissing',
      detail: `No statutory holiday data for ${holidays.missingYears.join(', ')}: those days cannot be booked until the hall adds <data-dir>/booking/holidays/<year>.json.`,
    });
  }
  const accept = services.submissions?.canAccept();
  if (accept !== undefined && !accept.ok) {
    warnings.push({ code: 'submissionsOutOfService', detail: `Applications are refused (${accept.reason}); nothing already accepted is affected.` });
  }
  return warnings;
}
