import { describe, expect, it } from 'vitest';
import { VisitMemory } from './visit-memory.ts';

const app = (reference: string, pdf: Uint8Array | undefined) => ({
  reference,
  formId: 'residence-permit',
  version: '1.0.0',
  title: { 'zh-CN': '居住证申领', en: 'Residence permit application' },
  acceptedAtMs: 0,
  pdf,
  formPrinted: false,
  receiptPrinted: false,
});

describe('VisitMemory', () => {
  it('recalls an answer only for a field of the same id and type', () => {
    const m = new VisitMemory();
    m.bindTo('110105199003070017');
    m.remember('purpose', 'choice', 'visa');
    expect(m.recall('purpose', 'choice')).toBe('visa');
    expect(m.recall('purpose', 'text')).toBeUndefined();
  });

  it('forgets everything when another card is read in the same session', () => {
    const m = new VisitMemory();
    m.bindTo('110105199003070017');
    m.remember('phone', 'phone', '13812345678');
    m.addApplication(app('T0001-261123-0001-7', new Uint8Array([1, 2, 3])));
    m.bindTo('110105199003070017');
    expect(m.answerCount).toBe(1);
    m.bindTo('11010519850721004X');
    expect(m.answerCount).toBe(0);
    expect(m.applications()).toHaveLength(0);
  });

  it('zeroes the PDFs it held when wiped', () => {
    const m = new VisitMemory();
    const pdf = new Uint8Array([37, 80, 68, 70]);
    m.addApplication(app('T0001-261123-0001-7', pdf));
    m.wipe();
    expect([...pdf]).toEqual([0, 0, 0, 0]);
    expect(m.application('T0001-261123-0001-7')).toBeUndefined();
  });

  it('keeps the PDF it has when a duplicate submit brings none', () => {
    const m = new VisitMemory();
    const pdf = new Uint8Array([1]);
    m.addApplication(app('T0001-261123-0001-7', pdf));
    m.addApplication(app('T0001-261123-0001-7', undefined));
    expect(m.application('T0001-261123-0001-7')?.pdf).toBe(pdf);
  });
});
