import { describe, expect, it } from 'vitest';
import type { FormListItem } from '@onevisit/protocol';
import { applyEn } from '../i18n/forms.en.ts';
import { applyZhCN } from '../i18n/forms.zh-cn.ts';
import { formatDateDigits, pinyinCandidates } from '../keyboard.ts';
import { FormView, answersForWire, domId, keyboardKind, parseDefinition, pathKey, printErrorOf, readAnswer, submitErrorOf, type FormDefinition } from './application-form.ts';

const definition = {
  id: 'test-form',
  version: '1.0.0',
  title: { 'zh-CN': '测试', en: 'Test' },
  category: 'other',
  notice: { materials: [], legalBasis: [{ 'zh-CN': '依据', en: 'Basis' }], timeLimit: { 'zh-CN': '即办', en: 'Now' }, fees: { 'zh-CN': '免费', en: 'Free' }, collection: { 'zh-CN': '现场', en: 'Here' } },
  sections: [
    {
      id: 'a',
      title: { 'zh-CN': '甲', en: 'A' },
      fields: [
        { id: 'phone', type: 'phone', label: { 'zh-CN': '电话', en: 'Phone' }, required: true },
        { id: 'purpose', type: 'choice', label: { 'zh-CN': '用途', en: 'Purpose' }, required: true, options: [{ value: 'other', label: { 'zh-CN': '其他', en: 'Other' } }, { value: 'work', label: { 'zh-CN': '就业', en: 'Work' } }] },
        { id: 'purposeOther', type: 'text', label: { 'zh-CN': '其他用途', en: 'Other purpose' }, maxLength: 5, showWhen: { equals: { field: 'purpose', value: 'other' } }, requiredWhen: { equals: { field: 'purpose', value: 'other' } } },
      ],
    },
    {
      id: 'b',
      title: { 'zh-CN': '乙', en: 'B' },
      fields: [
        {
          id: 'members',
          type: 'group',
          label: { 'zh-CN': '成员', en: 'Members' },
          itemLabel: { 'zh-CN': '成员', en: 'Member' },
          fields: [
            { id: 'idNumber', type: 'idNumber', label: { 'zh-CN': '身份证号', en: 'ID' }, required: true },
            { id: 'account', type: 'text', label: { 'zh-CN': '账号', en: 'Account' }, pattern: '\\d{12,19}' },
          ],
        },
      ],
    },
  ],
};

function item(): FormListItem {
  return {
    id: 'test-form',
    version: '1.0.0',
    title: '测试',
    titleEn: 'Test',
    fields: [],
    category: 'other',
    requiresIdentity: false,
    identityFields: [],
    notice: definition.notice,
    definition: definition as FormListItem['definition'],
  };
}

function parsed(): FormDefinition {
  const def = parseDefinition(item());
  if (def === undefined) throw new Error('the test definition does not parse');
  return def;
}

describe('application form helpers', () => {
  it('parses the Forms.List view into the forms library definition, and refuses a broken one', () => {
    expect(parsed().sections).toHaveLength(2);
    expect(parseDefinition({ ...item(), definition: { ...definition, sections: [] } as FormListItem['definition'] })).toBeUndefined();
  });

  it('applies conditions live and validates with the library codes, by path', () => {
    const def = parsed();
    const empty = new FormView(def, {}, '2026-01-01');
    const [a] = def.sections;
    if (!a) throw new Error('no section');
    expect(empty.visibleFields(a).map((f) => f.id)).toEqual(['phone', 'purpose']);
    const other = new FormView(def, { purpose: 'other', phone: '123', members: [{ idNumber: '110105198507210041' }] }, '2026-01-01');
    expect(other.visibleFields(a).map((f) => f.id)).toEqual(['phone', 'purpose', 'purposeOther']);
    expect(other.errors.get('phone')?.code).toBe('invalidPhone');
    expect(other.errors.get('purposeOther')?.code).toBe('required');
    expect(other.errors.get('members[0].idNumber')?.code).toBe('invalidIdNumber');
    expect(other.sectionErrors(a).map((e) => e.path).sort()).toEqual(['phone', 'purposeOther']);
    const ok = new FormView(def, { purpose: 'work', phone: '13812345678', members: [{ idNumber: '11010519850721004X' }] }, '2026-01-01');
    expect([...ok.errors.keys()]).toEqual([]);
  });

  it('names paths as the agent does and reads group rows', () => {
    expect(pathKey({ field: 'phone' })).toBe('phone');
    expect(pathKey({ field: 'members', row: 1, sub: 'idNumber' })).toBe('members[1].idNumber');
    expect(domId('input', 'members[1].idNumber')).toBe('input-members-1--idNumber');
    expect(readAnswer({ members: [{}, { idNumber: 'x' }] }, { field: 'members', row: 1, sub: 'idNumber' })).toBe('x');
    expect(answersForWire({ a: 'x', b: undefined, rows: [{ c: undefined, d: true }] })).toEqual({ a: 'x', rows: [{ d: true }] });
  });

  it('picks the keyboard per field type', () => {
    const def = parsed();
    const group = def.sections[1]?.fields[0];
    if (group?.type !== 'group') throw new Error('no group');
    expect(group.fields.map((f) => keyboardKind(f))).toEqual(['idNumber', 'digits']);
    const fields = def.sections[0]?.fields ?? [];
    expect(fields.map((f) => (f.type === 'group' ? 'group' : keyboardKind(f)))).toEqual(['phone', undefined, 'text']);
  });

  it('maps agent failures to what the citizen is told', () => {
    expect(submitErrorOf('notEnoughSpace', 'diskFull')).toBe('outOfService');
    expect(submitErrorOf('hardwareError', 'storeReadOnly')).toBe('outOfService');
    expect(submitErrorOf('deviceNotReady', 'noBackofficeKey')).toBe('outOfService');
    expect(submitErrorOf('invalidData', 'invalidAnswers')).toBe('invalid');
    expect(submitErrorOf('userError', 'identityRequired')).toBe('needsCard');
    expect(submitErrorOf('timeOut', undefined)).toBe('failed');
    expect(submitErrorOf('connectionLost', undefined)).toBe('failed');
    expect(printErrorOf('deviceNotReady', 'paperOut')).toBe('paperOut');
    expect(printErrorOf('deviceNotReady', 'busy')).toBe('offline');
    expect(printErrorOf('hardwareError', 'cutterError')).toBe('failed');
  });
});

describe('on-screen keyboard helpers', () => {
  it('formats date digits as they come', () => {
    expect(formatDateDigits('2020')).toBe('2020');
    expect(formatDateDigits('20200')).toBe('2020-0');
    expect(formatDateDigits('2020050')).toBe('2020-05-0');
    expect(formatDateDigits('202005019')).toBe('2020-05-01');
  });

  it('lists the exact syllable first, then syllables it begins', () => {
    const dict = { zhong: '中 重', zhuang: '装 壮', zh: '', bei: '北 被' };
    expect(pinyinCandidates(dict, 'zhong')).toEqual(['中', '重']);
    expect(pinyinCandidates(dict, 'zh')).toEqual(['中', '重', '装', '壮']);
    expect(pinyinCandidates(dict, '')).toEqual([]);
  });
});

describe('application texts', () => {
  it('has the same keys in both languages, none empty', () => {
    expect(Object.keys(applyEn).sort()).toEqual(Object.keys(applyZhCN).sort());
    for (const [key, value] of [...Object.entries(applyEn), ...Object.entries(applyZhCN)]) expect(value.trim(), key).not.toBe('');
  });
});
