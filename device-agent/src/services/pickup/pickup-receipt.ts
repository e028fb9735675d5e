import { formatShanghaiTime, shanghaiDate, type ReceiptDocument } from '@onevisit/protocol';
import type { PickupItemView } from './pickup-service.ts';

/**
 * The pickup receipt (领取凭证) a citizen takes after collecting: which certificate, from which
 * compartment, when. No person on it (the certificate itself carries the name); zh-CN first.
 */
export function buildPickupReceipt(item: Pick<PickupItemView, 'reference' | 'title' | 'slot'>, collectedAtMs: number, terminalId: string): ReceiptDocument {
  return {
    title: '领取凭证',
    blocks: [
      { kind: 'text', text: 'Certificate pickup receipt', align: 'center' },
      { kind: 'separator' },
      { kind: 'row', label: '证件 Certificate', value: item.title },
      { kind: 'row', label: '受理编号 Reference', value: item.reference },
      { kind: 'row', label: '柜格 Compartment', value: item.slot },
      { kind: 'row', label: '领取时间 Collected', value: `${shanghaiDate(collectedAtMs)} ${formatShanghaiTime(collectedAtMs)}` },
      { kind: 'row', label: '终端 Terminal', value: terminalId },
      { kind: 'separator' },
      { kind: 'text', text: '请妥善保管您的证件。如有疑问，请凭此凭证咨询大厅工作人员。' },
      { kind: 'text', text: 'Keep your certificate safe. Questions: show this receipt to hall staff.' },
      { kind: 'feed', lines: 2 },
    ],
  };
}
