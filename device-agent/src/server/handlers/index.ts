import type { HandlerTable } from '../handler.ts';
import { commonHandlers } from './common.ts';
import { devHandlers } from './dev.ts';
import { printerHandlers, receiptPrinterHandlers } from './printer.ts';
import { idCardHandlers } from './id-card.ts';
import { sessionHandlers } from './session.ts';
import { submissionHandlers } from './submission.ts';
import { bookingHandlers } from './booking.ts';
import { applicationHandlers, formsHandlers } from './forms.ts';
import { scannerHandlers } from './scanner.ts';
import { ocrHandlers } from './ocr.ts';
import { documentIdentityHandlers } from './document-identity.ts';

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
  ...submissionHandlers,
  ...bookingHandlers,
  ...formsHandlers,
  ...applicationHandlers,
  ...scannerHandlers,
  ...ocrHandlers,
  ...documentIdentityHandlers,
};
