import { describe, expect, it } from 'vitest';
import { loadDivisions, loadStreetTable, type Division, type StreetTable } from '../../address-divisions.ts';
import { AddressPicker, type DivisionSource } from './address-picker.svelte.ts';

const real: DivisionSource = { divisions: loadDivisions, streets: loadStreetTable };

function choice(picker: AddressPicker, name: string): Division {
  const found = picker.choices.find((d) => d.name === name);
  if (found === undefined) throw new Error(`${name} is not a choice (${picker.level})`);
  return found;
}

async function opened(text: string, source: DivisionSource = real): Promise<AddressPicker> {
  const picker = new AddressPicker(text, source);
  await picker.start();
  return picker;
}

describe('AddressPicker', () => {
  it('from an empty field: 北京市 → 朝阳区 → no street gives 北京市朝阳区 (no 市辖区)', async () => {
    const picker = await opened('');
    expect(picker.status).toBe('ready');
    expect(picker.level).toBe('province');
    expect(await picker.choose(choice(picker, '北京市'))).toEqual({ done: false });
    expect(picker.level).toBe('district');
    expect(await picker.choose(choice(picker, '朝阳区'))).toEqual({ done: false });
    expect(picker.level).toBe('street');
    expect(picker.path.map((d) => d.name)).toEqual(['北京市', '朝阳区']);
    expect(picker.finishHere()).toBe('北京市朝阳区');
  });

  it('a province, city, district and street: 河北省 → 石家庄市 → 长安区 → a street ends the picker', async () => {
    const picker = await opened('');
    await picker.choose(choice(picker, '河北省'));
    expect(picker.level).toBe('city');
    await picker.choose(choice(picker, '石家庄市'));
    expect(picker.level).toBe('district');
    await picker.choose(choice(picker, '长安区'));
    expect(picker.level).toBe('street');
    const street = picker.choices[0];
    if (street === undefined) throw new Error('长安区 has streets');
    expect(await picker.choose(street)).toEqual({ done: true, text: `河北省石家庄市长安区${street.name}` });
  });

  it('opens where a prefilled address is, and keeps what follows the names', async () => {
    const picker = await opened('北京市朝阳区建国路88号');
    expect(picker.path.map((d) => d.name)).toEqual(['北京市', '朝阳区']);
    expect(picker.level).toBe('street');
    expect(picker.current).toBeUndefined();
    expect(picker.finishHere()).toBe('北京市朝阳区建国路88号');
    // One step back: the districts, with 朝阳区 marked; another district keeps the rest.
    expect(picker.back()).toBe(true);
    expect(picker.level).toBe('district');
    expect(picker.current).toBe('朝阳区');
    await picker.choose(choice(picker, '东城区'));
    expect(await picker.choose(choice(picker, '东华门街道'))).toEqual({ done: true, text: '北京市东城区东华门街道建国路88号' });
  });

  it('opens at a prefilled street among its siblings, marked, and replaces it when another is chosen', async () => {
    const picker = await opened('北京市朝阳区建外街道建国路88号');
    expect(picker.level).toBe('street');
    expect(picker.current).toBe('建外街道');
    expect(picker.finishHere()).toBe('北京市朝阳区建国路88号');
    expect(await picker.choose(choice(picker, '朝外街道'))).toEqual({ done: true, text: '北京市朝阳区朝外街道建国路88号' });
  });

  it('a text that begins with no division opens at the provinces and keeps all of it', async () => {
    const picker = await opened('建国路88号');
    expect(picker.path).toEqual([]);
    await picker.choose(choice(picker, '上海市'));
    await picker.choose(choice(picker, '黄浦区'));
    expect(picker.finishHere()).toBe('上海市黄浦区建国路88号');
    expect(picker.back()).toBe(true);
    expect(picker.back()).toBe(true);
    expect(picker.back()).toBe(false);
  });

  it('a district without streets ends the picker at once; a table that cannot load is one without streets', async () => {
    const noStreets: DivisionSource = { divisions: loadDivisions, streets: () => Promise.reject(new Error('chunk gone')) };
    const picker = await opened('', noStreets);
    await picker.choose(choice(picker, '北京市'));
    expect(await picker.choose(choice(picker, '朝阳区'))).toEqual({ done: true, text: '北京市朝阳区' });
  });

  it('says the list is unavailable when the divisions cannot load', async () => {
    const broken: DivisionSource = { divisions: () => Promise.reject(new Error('chunk gone')), streets: (): Promise<StreetTable> => Promise.resolve({}) };
    const picker = await opened('北京市', broken);
    expect(picker.status).toBe('unavailable');
  });
});
