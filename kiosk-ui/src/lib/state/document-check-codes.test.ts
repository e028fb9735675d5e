import { describe, expect, it } from 'vitest';
import type { CompletionPayload } from '@onevisit/protocol';
import { en } from '../i18n/en.ts';
import { zhCN } from '../i18n/zh-cn.ts';
import { CHECK_OUTCOMES, checkOutcome, isPaperMaterial } from './document-check-codes.ts';

type Payload = CompletionPayload<'Ocr.CheckDocument'>;

function payload(name: boolean, idNumber: boolean, problems: Payload['problems'] = []): Payload {
  return { name: { found: name, exact: name }, idNumber: { found: idNumber, exact: idNumber }, found: name && idNumber, problems };
}

describe('document check codes', () => {
  it('says which value was not found', () => {
    expect(checkOutcome(payload(true, true))).toBe('checked');
    expect(checkOutcome(payload(false, true, ['nameNotFound']))).toBe('nameNotFound');
    expect(checkOutcome(payload(true, false, ['idNumberNotFound']))).toBe('idNumberNotFound');
    expect(checkOutcome(payload(false, false, ['nameNotFound', 'idNumberNotFound']))).toBe('bothNotFound');
    expect(checkOutcome(payload(false, false, ['noTextFound']))).toBe('noTextFound');
  });

  it('does not call a page checked unless the agent says found', () => {
    expect(checkOutcome({ ...payload(true, true), found: false })).not.toBe('checked');
  });

  it('offers a scan for copies, not for originals shown at the window', () => {
    expect(isPaperMaterial({ form: 'copy' })).toBe(true);
    expect(isPaperMaterial({ form: 'originalAndCopy' })).toBe(true);
    expect(isPaperMaterial({ form: 'original' })).toBe(false);
  });

  it('has a status text for every outcome and a result text for every problem, in both languages', () => {
    for (const dictionary of [zhCN, en] as Record<string, string>[]) {
      for (const outcome of CHECK_OUTCOMES) {
        expect(dictionary[`check.status.${outcome}`], outcome).toBeTruthy();
        if (outcome !== 'checked') expect(dictionary[`check.result.${outcome}.title`], outcome).toBeTruthy();
      }
    }
  });
});
