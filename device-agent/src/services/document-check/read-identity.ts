import { checkIdNumber } from '@onevisit/protocol';
import type { z } from 'zod';
import type { ocrCommands } from '@onevisit/protocol';
import type { OcrService, OcrPage } from '../../ocr/service.ts';
import type { OcrFailure } from '../../ocr/types.ts';

export type ReadIdentityPayload = z.output<(typeof ocrCommands)['Ocr.ReadIdentity']['completion']>;

/**
 * Use (a) of issue 3: the card reader failed or the citizen brought a paper document
 * (a temporary ID certificate): read the name and the ID number from the scan. Only an ID
 * number that passes GB 11643 is returned; the UI asks the citizen to confirm each value.
 */
export async function readIdentityFromPage(ocr: OcrService, page: OcrPage, signal?: AbortSignal): Promise<{ ok: true; payload: ReadIdentityPayload } | { ok: false; failure: OcrFailure }> {
  const read = await ocr.readIdentity(page, signal);
  if (!read.ok) return read;
  const { name, idNumber } = read.identity;
  const problems: ReadIdentityPayload['problems'] = [];
  if (!name) problems.push('nameNotFound');
  let idValue: ReadIdentityPayload['idNumber'] = null;
  const decision = idNumber.decision;
  if (decision.ok) {
    const check = checkIdNumber(decision.value);
    if (check.ok) idValue = { value: decision.value, confidence: round(decision.confidence), corrected: decision.corrected, birthDate: check.birthDate, sex: check.sex };
  }
  if (!idValue) {
    if (!idNumber.located) problems.push('idNumberNotFound');
    else problems.push(!decision.ok && decision.problem === 'ambiguous' ? 'idNumberAmbiguous' : 'idNumberUnreadable');
  }
  return { ok: true, payload: { name: name ? { value: name.value, confidence: round(name.confidence) } : null, idNumber: idValue, problems } };
}

function round(confidence: number): number {
  return Math.max(0, Math.min(1, Math.round(confidence * 1000) / 1000));
}
