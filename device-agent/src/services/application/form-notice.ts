import type { FormListItem, ReceiptBlock, ReceiptDocument } from '@onevisit/protocol';

/** The notice's headings, as the kiosk shows them (kiosk-ui forms.zh-cn.ts / forms.en.ts, apply.notice.*). */
const TEXTS = {
  'zh-CN': {
    title: '一次性告知单',
    materials: '所需材料',
    noMaterials: '无需提交纸质材料。',
    optional: '如有',
    copies: (count: number) => `${count} 份`,
    form: { original: '原件', copy: '复印件', originalAndCopy: '原件及复印件' },
    legalBasis: '设定依据',
    timeLimit: '承诺时限',
    fees: '收费标准',
    collection: '结果领取',
    contact: '咨询电话',
    onlyFor: { resident: '仅限持居民身份证者', foreignPermanent: '仅限持外国人永久居留身份证者' },
  },
  en: {
    title: 'What you need to bring',
    materials: 'Documents',
    noMaterials: 'No paper documents are needed.',
    optional: 'if any',
    copies: (count: number) => `copies: ${count}`,
    form: { original: 'original', copy: 'copy', originalAndCopy: 'original and copy' },
    onlyFor: { resident: 'Only for holders of a resident ID card', foreignPermanent: 'Only for holders of a foreign permanent residence ID card' },
    legalBasis: 'Legal basis',
    timeLimit: 'Time limit',
    fees: 'Fees',
    collection: 'Collecting the result',
    contact: 'Enquiries',
  },
} as const;

/**
 * A form's 一次性告知单 as a receipt, made by the agent from the package it offers (issue 11: the
 * page names the form and the language, never the text). Holds no personal data.
 */
export function formNoticeReceipt(form: FormListItem, language: 'zh-CN' | 'en'): ReceiptDocument {
  const t = TEXTS[language];
  const n = form.notice;
  const blocks: ReceiptBlock[] = [
    { kind: 'text', text: language === 'zh-CN' ? form.title : form.titleEn, align: 'center', bold: true },
    { kind: 'separator' },
    { kind: 'text', text: t.materials, bold: true },
  ];
  if (n.materials.length === 0) blocks.push({ kind: 'text', text: t.noMaterials });
  n.materials.forEach((m, i) => {
    const optional = m.required === false ? ` (${t.optional})` : '';
    blocks.push({ kind: 'text', text: `${i + 1}. ${m.name[language]}${optional} · ${t.form[m.form]} · ${t.copies(m.copies)}` });
    if (m.notes) blocks.push({ kind: 'text', text: `   ${m.notes[language]}` });
    // The notice is printed before any card is read: a material for one kind of card says for whom (issue 10).
    if (m.cardTypes !== undefined) blocks.push({ kind: 'text', text: `   ${m.cardTypes.map((c) => t.onlyFor[c]).join(' / ')}` });
  });
  blocks.push({ kind: 'separator' }, { kind: 'text', text: t.legalBasis, bold: true });
  for (const basis of n.legalBasis) blocks.push({ kind: 'text', text: `· ${basis[language]}` });
  blocks.push(
    { kind: 'separator' },
    { kind: 'row', label: t.timeLimit, value: n.timeLimit[language] },
    { kind: 'row', label: t.fees, value: n.fees[language] },
    { kind: 'text', text: `${t.collection}: ${n.collection[language]}` },
  );
  if (n.contact) blocks.push({ kind: 'text', text: `${t.contact}: ${n.contact[language]}` });
  return { title: t.title, blocks, cut: 'partial' };
}
