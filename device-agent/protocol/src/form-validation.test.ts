import { describe, expect, it } from 'vitest';
import { FormPackageSchema, type FormPackageDefinition } from './form-definition.ts';
import { gb11643CheckChar as idNumberCheckChar, isValidIdNumber } from './id-number.ts';
import { evaluateCondition, isValidPhone, prefillAnswers, resolveDateBound, validateAnswers } from './form-validation.ts';

const t = (zh: string, en: string): { 'zh-CN': string; en: string } => ({ 'zh-CN': zh, en });

function def(): FormPackageDefinition {
  return FormPackageSchema.parse({
    id: 'test-form',
    version: '1.0.0',
    title: t('测试', 'Test'),
    category: 'other',
    sections: [
      {
        id: 'a',
        title: t('甲', 'A'),
        fields: [
          { id: 'name', type: 'text', label: t('姓名', 'Name'), required: true, maxLength: 4, minLength: 2 },
          { id: 'code', type: 'text', label: t('代码', 'Code'), pattern: '[A-Z]{3}' },
          { id: 'sex', type: 'choice', label: t('性别', 'Sex'), options: [{ value: 'male', label: t('男', 'Male') }, { value: 'female', label: t('女', 'Female') }] },
          { id: 'phone', type: 'phone', label: t('电话', 'Phone') },
          { id: 'mobile', type: 'phone', kind: 'mobile', label: t('手机', 'Mobile') },
          { id: 'idNumber', type: 'idNumber', label: t('身份号码', 'ID') },
          { id: 'birth', type: 'date', label: t('出生', 'Birth'), minDate: '1900-01-01', maxDate: 'today' },
          { id: 'age', type: 'number', label: t('年龄', 'Age'), min: 0, max: 150, integer: true },
          { id: 'items', type: 'multiChoice', label: t('事项', 'Items'), maxSelected: 1, options: [{ value: 'x', label: t('甲', 'X') }, { value: 'y', label: t('乙', 'Y') }] },
          { id: 'reason', type: 'choice', label: t('原因', 'Reason'), required: true, options: [{ value: 'lost', label: t('遗失', 'Lost') }, { value: 'damaged', label: t('损坏', 'Damaged') }] },
          { id: 'reported', type: 'yesNo', label: t('已报警', 'Reported'), showWhen: { equals: { field: 'reason', value: 'lost' } } },
          {
            id: 'reportNo',
            type: 'text',
            label: t('回执号', 'Report no.'),
            showWhen: { and: [{ equals: { field: 'reason', value: 'lost' } }, { equals: { field: 'reported', value: true } }] },
            requiredWhen: { notEmpty: { field: 'reported' } },
          },
          { id: 'damage', type: 'text', label: t('损坏', 'Damage'), hideWhen: { not: { in: { field: 'reason', values: ['damaged'] } } }, required: true },
        ],
      },
      {
        id: 'family',
        title: t('家庭', 'Family'),
        showWhen: { or: [{ equals: { field: 'sex', value: 'male' } }, { equals: { field: 'sex', value: 'female' } }] },
        fields: [
          {
            id: 'members',
            type: 'group',
            label: t('成员', 'Members'),
            itemLabel: t('成员', 'Member'),
            minItems: 1,
            maxItems: 2,
            fields: [
              { id: 'name', type: 'text', label: t('姓名', 'Name'), required: true },
              { id: 'idNumber', type: 'idNumber', label: t('身份号码', 'ID'), required: true },
            ],
          },
        ],
      },
    ],
    notice: { materials: [], legalBasis: [t('法', 'Law')], timeLimit: t('即办', 'Now'), fees: t('免费', 'Free'), collection: t('现场', 'Here') },
    pdf: { fields: {} },
  });
}

const codes = (answers: Record<string, unknown>): string[] =>
  validateAnswers(def(), answers as never, { todayIso: '2026-11-21' }).errors.map((e) => `${e.path}:${e.code}`);

describe('GB 11643 ID numbers', () => {
  it('computes the check character, X included', () => {
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('110105194902300027')).toBe(false); // 30 February
  });
});

describe('phones', () => {
  it('accepts mainland mobiles and landlines', () => {
    expect(isValidPhone('13812345678', 'mobile')).toBe(true);
    expect(isValidPhone('+86 138 1234 5678', 'mobile')).toBe(true);
    expect(isValidPhone('12812345678', 'mobile')).toBe(false);
    expect(isValidPhone('010-12345678', 'landline')).toBe(true);
    expect(isValidPhone('0755-1234567-123')).toBe(true);
    expect(isValidPhone('010-12345678', 'mobile')).toBe(false);
    expect(isValidPhone('12345')).toBe(false);
  });
});

describe('validateAnswers', () => {
  const base = { name: '张三', reason: 'lost' };
  it('passes good answers and normalises them', () => {
    const r = validateAnswers(def(), { ...base, idNumber: ' 11010519491231002x ', age: '42', sex: 'male', members: [{ name: '李四', idNumber: '11010519491231002X' }] }, { todayIso: '2026-11-21' });
    expect(r.errors).toEqual([]);
    expect(r.answers.idNumber).toBe('11010519491231002X');
    expect(r.answers.age).toBe(42);
  });
  it('gives stable codes with paths', () => {
    expect(codes({ reason: 'lost' })).toEqual(['name:required']);
    expect(codes({ ...base, name: '张' })).toEqual(['name:tooShort']);
    expect(codes({ ...base, name: '张三李四王' })).toEqual(['name:tooLong']);
    expect(codes({ ...base, name: '𠮷𠮷𠮷𠮷' })).toEqual([]); // four characters, not eight code units
    expect(codes({ ...base, code: 'AB1' })).toEqual(['code:pattern']);
    expect(codes({ ...base, sex: 'x' })).toEqual(['sex:notAnOption']);
    expect(codes({ ...base, phone: '123' })).toEqual(['phone:invalidPhone']);
    expect(codes({ ...base, mobile: '010-12345678' })).toEqual(['mobile:invalidPhone']);
    expect(codes({ ...base, idNumber: '110105194912310021' })).toEqual(['idNumber:invalidIdNumber']);
    expect(codes({ ...base, birth: '2001-02-29' })).toEqual(['birth:invalidDate']);
    expect(codes({ ...base, birth: '2027-01-01' })).toEqual(['birth:outOfRange']);
    expect(codes({ ...base, age: 200 })).toEqual(['age:outOfRange']);
    expect(codes({ ...base, age: 'abc' })).toEqual(['age:notANumber']);
    expect(codes({ ...base, age: 1.5 })).toEqual(['age:notAnInteger']);
    expect(codes({ ...base, items: ['x', 'y'] })).toEqual(['items:tooManySelected']);
    expect(codes({ ...base, items: ['z'] })).toEqual(['items:notAnOption']);
    expect(codes({ ...base, name: 5 })).toEqual(['name:wrongType']);
    expect(codes({ ...base, bogus: 1 })).toEqual(['bogus:unknownField']);
  });
  it('never runs a pattern on an answer longer than the cap (issue 11): tooLong with the cap, before the pattern', () => {
    const r = validateAnswers(def(), { ...base, code: 'A'.repeat(257) }, { todayIso: '2026-11-21' });
    expect(r.errors).toEqual([{ path: 'code', fieldId: 'code', code: 'tooLong', params: { max: 256 } }]);
    expect(codes({ ...base, code: 'A'.repeat(256) })).toEqual(['code:pattern']);
  });
  it('evaluates show/hide/require conditions', () => {
    expect(codes({ ...base, reported: true })).toEqual(['reportNo:required']);
    expect(codes({ ...base, reported: false })).toEqual([]); // shown only when reported
    expect(codes({ name: '张三', reason: 'damaged' })).toEqual(['damage:required']);
    // hidden fields are neither validated nor kept
    const r = validateAnswers(def(), { name: '张三', reason: 'damaged', damage: '芯片', reported: true, reportNo: '??' }, { todayIso: '2026-11-21' });
    expect(r.errors).toEqual([]);
    expect(r.answers).not.toHaveProperty('reported');
    expect(r.answers).not.toHaveProperty('reportNo');
  });
  it('validates repeating groups row by row', () => {
    expect(codes({ ...base, sex: 'female', members: [] })).toEqual(['members:groupTooFew']);
    expect(codes({ ...base, sex: 'female', members: [{ name: 'a', idNumber: '11010519491231002X' }, { name: 'b', idNumber: '11010519491231002X' }, { name: 'c', idNumber: '11010519491231002X' }] })).toEqual(['members:groupTooMany']);
    expect(codes({ ...base, sex: 'female', members: [{ name: 'a', idNumber: '11010519491231002X' }, { name: '', idNumber: '1' }] })).toEqual([
      'members[1].name:required',
      'members[1].idNumber:invalidIdNumber',
    ]);
    // section hidden (no sex): the group is not asked for
    expect(codes({ ...base })).toEqual([]);
  });
});

describe('conditions and dates', () => {
  it('evaluates nested conditions', () => {
    const v: Record<string, string | string[]> = { a: 'x', b: ['p', 'q'] };
    const lookup = (id: string): string | string[] | undefined => v[id];
    expect(evaluateCondition({ and: [{ equals: { field: 'a', value: 'x' } }, { equals: { field: 'b', value: 'q' } }] }, lookup)).toBe(true);
    expect(evaluateCondition({ or: [{ notEmpty: { field: 'c' } }, { in: { field: 'a', values: ['y'] } }] }, lookup)).toBe(false);
    expect(evaluateCondition({ not: { notEmpty: { field: 'c' } } }, lookup)).toBe(true);
  });
  it('resolves relative date bounds', () => {
    expect(resolveDateBound('today', '2026-11-21')).toBe('2026-11-21');
    expect(resolveDateBound('today-18y', '2026-11-21')).toBe('2008-11-21');
    expect(resolveDateBound('today+10d', '2026-11-21')).toBe('2026-12-01');
    expect(resolveDateBound('2000-01-01', '2026-11-21')).toBe('2000-01-01');
  });
});

describe('prefillAnswers', () => {
  it('maps identity fields, translates values, keeps what the citizen typed', () => {
    const d = { ...def(), prefill: { name: 'name', sex: { field: 'sex', map: { 男: 'male', 女: 'female' } }, idNumber: 'idNumber' } };
    const a = prefillAnswers(d, { name: '张𠮷', sex: '女', idNumber: '11010519491231002X', address: '不用' }, { name: '王五' });
    expect(a).toEqual({ name: '王五', sex: 'female', idNumber: '11010519491231002X' });
  });
});
