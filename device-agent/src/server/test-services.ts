import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { AgentServices } from '../services.ts';

/**
 * The services object a handler sees, built around the given devices, for handler and
 * server tests that do not start a whole agent (createAgent does this for real).
 */
export function servicesForTest(
  parts: { config: Config; devices: DeviceRegistry; clock: Clock; log: Logger },
  extra: Partial<Pick<AgentServices, 'scanning' | 'submissions' | 'booking' | 'application'>> = {},
): AgentServices {
  const { config, devices, clock, log } = parts;
  return {
    clock,
    log,
    terminalId: 'T0001',
    dev: true,
    idleTimeoutMs: 60_000,
    idleCountdownMs: 15_000,
    config,
    devices: { idCard: devices.idCard, printer: devices.printer, receiptPrinter: devices.receiptPrinter, all: () => devices.all(), get: (id) => devices.get(id) },
    simulators: devices.simulators,
    ...extra,
  };
}
