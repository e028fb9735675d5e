import { describe, expect, it } from 'vitest';
import { commands, type CommandName } from '@onevisit/protocol';
import { bookingEn } from './booking.en.ts';
import { bookingZhCN } from './booking.zh-cn.ts';
import { en as coreEn } from './en.ts';
import { zhCN as coreZhCN } from './zh-cn.ts';
import { PRINT_ERROR_OF, SUBMIT_ERROR_OF } from '../state/application-form.ts';
import { READ_ERROR_OF } from '../state/read-error.ts';
import { SCAN_ERROR_OF } from '../state/scan-codes.ts';

/**
 * Every error code a command declares (protocol `errors`) has a text in both languages: directly
 * (booking), or through the table that places it (read, scan, submit, print). The tables are also
 * checked by the compiler (`satisfies Record<…>`); this catches what a cast could hide.
 */
/** The booking texts load with the booking screens: the codes must be found in the core or in that part. */
const zhCN = { ...coreZhCN, ...bookingZhCN };
const en = { ...coreEn, ...bookingEn };

const declared = (name: CommandName): string[] => Object.keys(commands[name].errors);

function expectTexts(keys: readonly string[], context: string): void {
  for (const key of keys) {
    expect(Object.hasOwn(zhCN, key), `${context}: zh-CN ${key}`).toBe(true);
    expect(Object.hasOwn(en, key), `${context}: en ${key}`).toBe(true);
  }
}

function placed<T extends string>(table: Readonly<Record<string, T>>, name: CommandName, code: string): T {
  expect(Object.hasOwn(table, code), `${name} declares ${code}, which the UI does not place`).toBe(true);
  return table[code] as T;
}

describe('error texts', () => {
  it('has a text for every code IdCard.Read declares', () => {
    for (const code of declared('IdCard.Read')) {
      const kind = placed(READ_ERROR_OF, 'IdCard.Read', code);
      expectTexts([`readError.${kind}.title`, `readError.${kind}.body`], code);
    }
  });

  it('has a text for every code the scan screens’ commands declare', () => {
    for (const name of ['Scanner.Scan', 'Ocr.Recognize', 'Ocr.ReadIdentity', 'Ocr.CheckDocument', 'DocumentIdentity.Confirm'] as const) {
      for (const code of declared(name)) {
        const shown = placed(SCAN_ERROR_OF, name, code);
        expectTexts([`scan.error.${shown}.title`, `scan.error.${shown}.body`], `${name} ${code}`);
      }
    }
  });

  it('has a text for every code a Booking.* command declares', () => {
    for (const name of Object.keys(commands).filter((n): n is CommandName => n.startsWith('Booking.'))) {
      for (const code of declared(name)) expectTexts([`booking.error.${code}.title`, `booking.error.${code}.body`], `${name} ${code}`);
    }
  });

  it('has a text for every code Forms.Submit and the apply journey’s print commands declare', () => {
    for (const code of declared('Forms.Submit')) {
      const shown = placed(SUBMIT_ERROR_OF, 'Forms.Submit', code);
      expectTexts([`apply.submitError.${shown}.title`, `apply.submitError.${shown}.body`], code);
    }
    for (const name of ['Application.PrintForm', 'Application.PrintReceipt', 'ReceiptPrinter.Print'] as const) {
      for (const code of declared(name)) {
        const shown = placed(PRINT_ERROR_OF, name, code);
        // `byCompletion` is shown as one of the others (offline or failed), each with its text.
        for (const kind of shown === 'byCompletion' ? ['offline', 'failed'] : [shown]) expectTexts([`apply.printError.${kind}`], `${name} ${code}`);
      }
    }
  });
});
