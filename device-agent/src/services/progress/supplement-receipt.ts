import { formatShanghaiTime, shanghaiDate, type ReceiptDocument } from '@onevisit/protocol';

/**
 * The receipt of a supplement (补正回执): which case, the supplement's own number, how many scans,
 * when. No person and no material description on it; zh-CN first.
 */
export function buildSupplementReceipt(item: { caseReference: string; supplementReference: string; pages: number }, acceptedAtMs: number, terminalId: string): ReceiptDocument {
  return {
    title: '补正材料回执',
    blocks: [
      { kind: 'text', text: 'Supplement receipt', align: 'center' },
      { kind: 'separator' },
      { kind: 'row', label: '受理编号 Case', value: item.caseReference },
      { kind: 'row', label: '补正编号 Supplement', value: item.supplementReference },
      { kind: 'row', label: '扫描件 Scans', value: String(item.pages) },
      { kind: 'row', label: '提交时间 Handed in', value: `${shanghaiDate(acceptedAtMs)} ${formatShanghaiTime(acceptedAtMs)}` },
      { kind: 'row', label: '终端 Terminal', value: terminalId },
      { kind: 'separator' },
      { kind: 'text', text: '材料已加密保存并将送达审批部门。可凭受理编号查询进度。' },
      { kind: 'text', text: 'Your material is sealed and will reach the office. Look up progress with the case number.' },
      { kind: 'feed', lines: 2 },
    ],
  };
}
