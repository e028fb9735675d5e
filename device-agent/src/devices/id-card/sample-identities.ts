import type { Identity } from '@onevisit/protocol';

/**
 * Fictional people for the simulated ID card reader, the dev dock and tests.
 * Any likeness to a real person is accidental. Every resident number has a valid
 * GB 11643-1999 check character (verified in sample-identities.test.ts), a birth
 * date that matches the number, and a sequence whose parity matches the sex.
 *
 * Field limits follow the GA/T 490 text block (256 bytes of UTF-16LE): name 15
 * characters, address 70 bytes = 35 characters. `longAddress` uses all 35.
 */

/** 1024 bytes of dummy "wlt" photo data (a real card stores a 1024-byte compressed photo), base64. */
export function dummyPhoto(seed: number): string {
  const bytes = Buffer.alloc(1024);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + seed * 17) & 0xff;
  return bytes.toString('base64');
}

export type SampleIdentity = {
  readonly key: string;
  /** For the dev dock: what case this card exercises. Not personal data (the people are fictional). */
  readonly label: string;
  readonly identity: Identity;
};

export const SAMPLE_IDENTITIES: readonly SampleIdentity[] = [
  {
    key: 'standard',
    label: '标准居民身份证 · standard resident card',
    identity: {
      name: '王小明',
      sex: '男',
      nation: '汉',
      birthDate: '1990-03-07',
      address: '北京市朝阳区建国路88号院3号楼2单元501室',
      idNumber: '110105199003070017',
      authority: '北京市公安局朝阳分局',
      validFrom: '2016-08-15',
      validTo: '2036-08-15',
      cardType: 'resident',
      photo: dummyPhoto(1),
    },
  },
  {
    key: 'checkX',
    label: '校验码为 X · check character X',
    identity: {
      name: '李娜',
      sex: '女',
      nation: '汉',
      birthDate: '1985-07-21',
      address: '北京市朝阳区朝阳门外大街16号',
      idNumber: '11010519850721004X',
      authority: '北京市公安局朝阳分局',
      validFrom: '2019-04-02',
      validTo: '2039-04-02',
      cardType: 'resident',
      photo: dummyPhoto(2),
    },
  },
  {
    key: 'minority',
    label: '少数民族姓名（含 ·）· minority name with ·',
    identity: {
      name: '阿依古丽·买买提',
      sex: '女',
      nation: '维吾尔',
      birthDate: '1992-06-14',
      address: '新疆维吾尔自治区乌鲁木齐市天山区解放南路123号',
      idNumber: '650102199206140026',
      authority: '乌鲁木齐市公安局天山区分局',
      validFrom: '2018-09-01',
      validTo: '2028-09-01',
      cardType: 'resident',
      photo: dummyPhoto(3),
    },
  },
  {
    key: 'longAddress',
    label: '超长住址（35 字）· longest address (35 characters)',
    identity: {
      name: '欧阳振华',
      sex: '男',
      nation: '壮',
      birthDate: '1978-09-30',
      address: '广西壮族自治区南宁市青秀区民族大道136号华润中心东塔写字楼2806室',
      idNumber: '450103197809300033',
      authority: '南宁市公安局青秀分局',
      validFrom: '2021-11-11',
      validTo: '2041-11-11',
      cardType: 'resident',
      photo: dummyPhoto(4),
    },
  },
  {
    key: 'expired',
    label: '已过期 · expired card',
    identity: {
      name: '张伟',
      sex: '男',
      nation: '汉',
      birthDate: '1980-01-15',
      address: '上海市徐汇区漕溪北路201号',
      idNumber: '310104198001150036',
      authority: '上海市公安局徐汇分局',
      validFrom: '2004-06-20',
      validTo: '2014-06-20',
      cardType: 'resident',
      photo: dummyPhoto(5),
    },
  },
  {
    key: 'longTerm',
    label: '长期有效 · valid long-term (长期)',
    identity: {
      name: '刘秀英',
      sex: '女',
      nation: '汉',
      birthDate: '1955-08-22',
      address: '广东省深圳市宝安区新安街道宝民一路8号',
      idNumber: '440306195508220020',
      authority: '深圳市公安局宝安分局',
      validFrom: '2012-03-05',
      validTo: '长期',
      cardType: 'resident',
      photo: dummyPhoto(6),
    },
  },
  {
    key: 'foreign',
    label: '外国人永久居留身份证 · foreign permanent residence card',
    identity: {
      // 2023 card: 9 + province 11 + nationality 124 (Canada, ISO 3166 numeric) + birth date + sequence + check.
      name: '马克',
      sex: '男',
      nation: 'CAN',
      birthDate: '1985-03-12',
      address: '',
      idNumber: '911124198503120011',
      authority: '国家移民管理局',
      validFrom: '2023-12-01',
      validTo: '2033-12-01',
      cardType: 'foreignPermanent',
      englishName: 'JOHNSON MARK DAVID',
      photo: dummyPhoto(7),
    },
  },
  // Fictional hall staff for the demo (issue 12): registered as staff at start of the demo only,
  // with the PINs in DEMO_STAFF (services/staff/demo-staff.ts). Anywhere else they are citizens.
  {
    key: 'staff',
    label: '演示工作人员 · demo hall staff (PIN 123456)',
    identity: {
      name: '张静',
      sex: '女',
      nation: '汉',
      birthDate: '1988-05-12',
      address: '北京市朝阳区光华路9号',
      idNumber: '110105198805120026',
      authority: '北京市公安局朝阳分局',
      validFrom: '2018-06-01',
      validTo: '2038-06-01',
      cardType: 'resident',
      photo: dummyPhoto(8),
    },
  },
  {
    key: 'technician',
    label: '演示技术员 · demo technician (PIN 654321)',
    identity: {
      name: '刘强',
      sex: '男',
      nation: '汉',
      birthDate: '1979-09-30',
      address: '北京市朝阳区东三环中路1号',
      idNumber: '110105197909300035',
      authority: '北京市公安局朝阳分局',
      validFrom: '2015-10-20',
      validTo: '2035-10-20',
      cardType: 'resident',
      photo: dummyPhoto(9),
    },
  },
];

export const DEFAULT_SAMPLE_KEY = 'standard';

export function findSampleIdentity(key: string): SampleIdentity | undefined {
  return SAMPLE_IDENTITIES.find((s) => s.key === key);
}
