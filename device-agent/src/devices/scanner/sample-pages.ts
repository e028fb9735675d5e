import { gb11643CheckChar } from '@onevisit/protocol';
import { renderPage, type Degradation, type PageFont, type PageLine, type RenderedPage } from './render-page.ts';

/**
 * Fictional people and documents the scanner simulator "scans", and OCR tests read.
 * Every ID number here is made up but valid under GB 11643 (area, birth date, check char).
 */

export interface SamplePerson {
  name: string;
  idNumber: string;
  sex: '男' | '女';
  birth: string;
  address: string;
}

function withCheckChar(first17: string): string {
  const check = gb11643CheckChar(first17);
  if (check === undefined) throw new Error('sample ID number needs 17 digits');
  return first17 + check;
}

export const SAMPLE_PEOPLE = {
  wangXiaoming: { name: '王小明', idNumber: withCheckChar('11010119900307061'), sex: '男', birth: '1990年3月7日', address: '北京市东城区和平里街道安定门外大街十八号' },
  liHong: { name: '李红', idNumber: withCheckChar('44030519851122084'), sex: '女', birth: '1985年11月22日', address: '广东省深圳市南山区科技园路六号' },
  // Check character X: exercises the `Xx` whitelist path.
  zhaoJing: { name: '赵静怡', idNumber: findIdWithCheckX('510107197808010'), sex: '女', birth: '1978年8月1日', address: '四川省成都市武侯区人民南路四段九号' },
  // The holder of the simulated reader's `standard` card (id-card/sample-identities.ts): a supporting
  // document that matches the card read in the session (Ocr.CheckDocument, use (b)). Not `wangXiaoming`,
  // a namesake with another number: that pair shows "name found, ID number not".
  standardCardHolder: { name: '王小明', idNumber: '110105199003070017', sex: '男', birth: '1990年3月7日', address: '北京市朝阳区建国路88号院3号楼2单元501室' },
} as const satisfies Record<string, SamplePerson>;

/** A sequence number whose check character is X (computed, not typed, so it stays right). */
function findIdWithCheckX(first15: string): string {
  for (let seq = 20; seq < 100; seq += 2) {
    const first17 = first15 + String(seq).padStart(2, '0');
    if (gb11643CheckChar(first17) === 'X') return `${first17}X`;
  }
  throw new Error('no X check char found');
}

export type SamplePersonKey = keyof typeof SAMPLE_PEOPLE;

export type SampleDocumentKind = 'temporaryIdCertificate' | 'expiredTemporaryIdCertificate' | 'residenceCertificate' | 'prosePage' | 'blankPage';

export const SAMPLE_DOCUMENT_KINDS: readonly SampleDocumentKind[] = ['temporaryIdCertificate', 'expiredTemporaryIdCertificate', 'residenceCertificate', 'prosePage', 'blankPage'];

/** The validity an expired sample certificate prints (the issue-10 case: accepted on 2026-12-03 before the fix). */
export const EXPIRED_CERTIFICATE_VALIDITY = '2026.01.05-2026.04.05';

/**
 * The validity a current sample certificate prints: issued 10 days before `today` (`YYYY-MM-DD`),
 * valid three months, like a police station's 临时身份证明.
 */
export function currentCertificateValidity(today: string): string {
  const issued = new Date(`${today}T00:00:00Z`);
  issued.setUTCDate(issued.getUTCDate() - 10);
  const until = new Date(issued);
  until.setUTCMonth(until.getUTCMonth() + 3);
  const dotted = (date: Date): string => date.toISOString().slice(0, 10).replaceAll('-', '.');
  return `${dotted(issued)}-${dotted(until)}`;
}

/** A4 portrait in mm. */
export const A4 = { widthMm: 210, heightMm: 297 } as const;

/** 临时身份证明: the paper a police station issues while a card is being made (use (a) of issue 3). */
export function temporaryIdCertificateLines(person: SamplePerson, validity = EXPIRED_CERTIFICATE_VALIDITY): PageLine[] {
  return [
    { text: '临时身份证明', sizePt: 22, bold: true, center: true, yMm: 30 },
    { text: `姓名：${person.name}`, sizePt: 14, yMm: 55 },
    { text: `性别：${person.sex}    民族：汉`, sizePt: 14 },
    { text: `出生：${person.birth}`, sizePt: 14 },
    { text: `住址：${person.address}`, sizePt: 14 },
    { text: `公民身份号码：${person.idNumber}`, sizePt: 14 },
    { text: '签发机关：北京市公安局东城分局和平里派出所', sizePt: 14 },
    { text: `有效期限：${validity}`, sizePt: 14 },
    { text: '本证明仅在有效期内使用，涂改无效。', sizePt: 12, yMm: 140 },
  ];
}

/** 居住证明: a supporting document that mentions the citizen in running text (use (b)). */
export function residenceCertificateLines(person: SamplePerson): PageLine[] {
  return [
    { text: '居住证明', sizePt: 22, bold: true, center: true, yMm: 30 },
    { text: `兹证明${person.name}（公民身份号码：`, sizePt: 14, yMm: 55 },
    { text: `${person.idNumber}）自二〇二〇年起`, sizePt: 14 },
    { text: `居住于${person.address}，`, sizePt: 14 },
    { text: '至今未曾迁出。', sizePt: 14 },
    { text: '特此证明。', sizePt: 14 },
    { text: '和平里街道办事处', sizePt: 14, xMm: 120, yMm: 150 },
    { text: '二〇二六年一月五日', sizePt: 14, xMm: 120 },
  ];
}

/** Ordinary Chinese prose for page-accuracy measurements (our own text, no third-party copyright). */
export const PROSE_LINES: readonly string[] = [
  '政务服务大厅设有二十四小时自助服务区，群众可以在',
  '非工作时间办理社保查询、户籍证明打印、预约挂号等',
  '常用事项。自助终端读取居民身份证后，系统会自动填',
  '写申请表中的姓名、性别、出生日期和住址等信息，减',
  '少群众手工录入的时间，也降低了填写错误的可能。',
  '如果证件无法读取，群众可以把临时身份证明放在扫描',
  '仪上，系统识别其中的姓名和公民身份号码，并请本人',
  '在屏幕上逐项确认。提交的材料会加密保存，只有后台',
  '工作人员才能查看，终端本身不会留下任何个人信息。',
  '办理过程中如遇到问题，可以按下屏幕上的求助按钮，',
  '值班人员会通过视频与您联系。所有打印的回执都带有',
  '二维码，扫描后可以随时查询办理进度和领取方式。请',
  '妥善保管回执，领取证件时需要出示本人身份证件。',
  '我们将继续优化服务流程，让群众办事少跑腿、好办事。',
];

export function prosePageLines(lines: readonly string[] = PROSE_LINES): PageLine[] {
  return [
    { text: '自助服务须知', sizePt: 18, bold: true, center: true, yMm: 25 },
    ...lines.map((text, i): PageLine => (i === 0 ? { text, sizePt: 12, yMm: 45 } : { text, sizePt: 12 })),
  ];
}

export interface SampleDocumentOptions {
  kind: SampleDocumentKind;
  person?: SamplePerson;
  /** `YYYY-MM-DD`: a current certificate is valid on this day (the simulator passes its clock's). */
  today?: string;
  dpi?: number;
  font?: PageFont;
  degrade?: Degradation;
}

/** One A4 page of a sample document. */
export function renderSampleDocument(options: SampleDocumentOptions): RenderedPage {
  const person = options.person ?? SAMPLE_PEOPLE.wangXiaoming;
  const lines = ((): PageLine[] => {
    switch (options.kind) {
      case 'temporaryIdCertificate':
        return temporaryIdCertificateLines(person, options.today === undefined ? EXPIRED_CERTIFICATE_VALIDITY : currentCertificateValidity(options.today));
      case 'expiredTemporaryIdCertificate':
        return temporaryIdCertificateLines(person, EXPIRED_CERTIFICATE_VALIDITY);
      case 'residenceCertificate':
        return residenceCertificateLines(person);
      case 'prosePage':
        return prosePageLines();
      case 'blankPage':
        return [];
      default: {
        const unreachable: never = options.kind;
        return unreachable;
      }
    }
  })();
  return renderPage({
    lines,
    ...A4,
    dpi: options.dpi ?? 300,
    font: options.font ?? 'sans',
    ...(options.degrade ? { degrade: options.degrade } : {}),
  });
}
