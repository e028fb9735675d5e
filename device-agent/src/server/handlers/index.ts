import type { HandlerTable } from '../handler.ts';
import { commonHandlers } from './common.ts';
import { devHandlers } from './dev.ts';
import { printerHandlers, receiptPrinterHandlers } from './printer.ts';
import { idCardHandlers } from './id-card.ts';
import { sessionHandlers } from './session.ts';
import { outboxHandlers } from './outbox.ts';
import { bookingHandlers } from './booking.ts';
import { queueHandlers } from './queue.ts';
import { formsHandlers } from './forms.ts';
import { applicationHandlers } from './application.ts';
import { scannerHandlers } from './scanner.ts';
import { ocrHandlers } from './ocr.ts';
import { documentIdentityHandlers } from './document-identity.ts';
import { staffHandlers } from './staff.ts';
import { storageHandlers } from './storage.ts';
import { pickupHandlers } from './pickup.ts';
import { progressHandlers, ratingHandlers, supplementHandlers } from './progress.ts';
import { hallHandlers } from './hall.ts';
import { speechHandlers } from './speech.ts';
import { formUpdateHandlers } from './form-updates.ts';

/**
 * The one dispatch table: every command in the protocol registry has its handler here.
 * A new service spreads its `<service>Handlers` in (a missing one does not compile).
 */
export const handlers: HandlerTable = {
  ...commonHandlers,
  ...idCardHandlers,
  ...devHandlers,
  ...printerHandlers,
  ...receiptPrinterHandlers,
  ...sessionHandlers,
  ...outboxHandlers,
  ...bookingHandlers,
  ...queueHandlers,
  ...formsHandlers,
  ...applicationHandlers,
  ...scannerHandlers,
  ...ocrHandlers,
  ...documentIdentityHandlers,
  ...staffHandlers,
  ...storageHandlers,
  ...pickupHandlers,
  ...progressHandlers,
  ...supplementHandlers,
  ...ratingHandlers,
  ...hallHandlers,
  ...speechHandlers,
  ...formUpdateHandlers,
};
