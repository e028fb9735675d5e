import type { Logger } from 'pino';
import type { Outbox } from '../../outbox/outbox.ts';
import type { PickupNotice, PickupNotifier } from './pickup-service.ts';

/** The back office's form ids for cabinet notices: it sends the SMS on `deposited`, closes the case on the others. */
export const PICKUP_NOTICE_FORM_IDS = { deposited: 'pickup.deposited', collected: 'pickup.collected', recovered: 'pickup.recovered' } as const;

/**
 * Seals each cabinet notice into the outbox like a submission (HPKE to the back office's key,
 * committed before `notify` returns, delivered by the same worker): the pickup code leaves the
 * terminal only inside the sealed envelope. The submission id makes a repeated notice a duplicate.
 */
export function outboxPickupNotifier(outbox: Pick<Outbox, 'accept'>, log: Pick<Logger, 'error' | 'info'>, kick: () => void = () => undefined): PickupNotifier {
  return {
    notify(notice: PickupNotice): void {
      const { kind, ...answers } = notice;
      const result = outbox.accept({ submissionId: `pickup-${kind}-${notice.itemId}`, formId: PICKUP_NOTICE_FORM_IDS[kind], formVersion: '1', answers });
      if (!result.ok) {
        // The item is recorded either way; staff see the outbox out of service in Common.Status.
        log.error({ notice: kind, itemId: notice.itemId, reason: result.reason }, 'pickup notice not queued for the back office');
        return;
      }
      log.info({ notice: kind, itemId: notice.itemId, reference: result.reference }, 'pickup notice queued for the back office');
      kick();
    },
  };
}
