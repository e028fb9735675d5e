import type { CheckOutcome, CheckProblem } from '../state/document-check-codes.ts';

/** Keys the check screens build from closed sets: each must have a text. */
type CheckComputedKeys = `check.status.${CheckOutcome}` | `check.result.${CheckProblem}.title` | `check.result.${CheckProblem}.body`;

/**
 * Texts of "scan it now" for a paper material of the 一次性告知单 (扫描核对材料), zh-CN: the source
 * of the `check.*` keys. Spread into the main dictionary (zh-cn.ts); check.en.ts must have the same keys.
 */
export const checkZhCN = {
  'check.action': '现在扫描核对',
  'check.forMaterial': '{action}：{name}',
  'check.status.checked': '已扫描核对',
  'check.status.nameNotFound': '未核对通过，请交到窗口',
  'check.status.idNumberNotFound': '未核对通过，请交到窗口',
  'check.status.bothNotFound': '未核对通过，请交到窗口',
  'check.status.noTextFound': '未核对通过，请交到窗口',
  'check.status.attached': '扫描件将随申请提交',
  'check.removePage': '不随申请提交',

  'check.title': '扫描核对材料',
  'check.stepLabel': '第 {step} 步，共 3 步',
  'check.material': '材料：{name}',
  'check.place.lead': '请翻开扫描仪盖板，将这份材料正面朝下放在玻璃板上，对齐左上角，再合上盖板。',
  'check.place.why': '系统会核对材料上是否有您的姓名和公民身份号码。扫描是自愿的：不扫描也可以继续办理，把纸质材料交到窗口即可。',
  'check.place.illustrationLabel': '示意图：翻开扫描仪盖板，将材料正面朝下放在玻璃板左上角，然后合上盖板',
  'check.scanning': '正在扫描，请勿移动材料，也不要打开盖板…',
  'check.start': '开始扫描',
  'check.retry': '重试',
  'check.back': '返回告知单',
  'check.privacy': '扫描图像只用于本次服务，本机不保存，服务结束后立即清除。',

  'check.preview.title': '请查看扫描结果',
  'check.preview.lead': '整页都在画面里、文字清楚吗？不清楚请重新扫描。',
  'check.preview.imageLabel': '扫描的材料页面',
  'check.preview.retakes': '已重新扫描 {count} 次',
  'check.retake': '重新扫描',
  'check.accept': '使用这页并核对',
  'check.checking.title': '正在核对…',
  'check.checking.body': '正在识别材料上的文字，约需 3 秒，请稍候。',

  'check.result.checked.title': '材料已核对',
  'check.result.checked.body': '材料上找到了您的姓名和公民身份号码。',
  'check.result.inexact': '个别字符不够清晰，审核人员会再看一次。',
  'check.result.attached': '这页扫描件将随您的申请加密提交，只有审核部门能查看。请仍按告知单准备纸质材料。',
  'check.result.nameNotFound.title': '没有找到您的姓名',
  'check.result.nameNotFound.body': '材料上找到了您的公民身份号码，但没有找到您的姓名。',
  'check.result.idNumberNotFound.title': '没有找到您的公民身份号码',
  'check.result.idNumberNotFound.body': '材料上找到了您的姓名，但没有找到您的公民身份号码。',
  'check.result.bothNotFound.title': '没有找到您的姓名和公民身份号码',
  'check.result.bothNotFound.body': '材料上既没有找到您的姓名，也没有找到您的公民身份号码。',
  'check.result.noTextFound.title': '没有识别到文字',
  'check.result.noTextFound.body': '扫描页上没有识别到文字：材料可能放反了，或者是空白页。',
  'check.result.whatToDo': '您可以：',
  'check.result.todo.rescan': '将材料正面朝下放平、对齐左上角，再扫描一次；',
  'check.result.todo.rightDocument': '确认这是您本人的材料，并且是告知单上要求的那一份；',
  'check.result.todo.window': '也可以不再核对，继续办理，把纸质材料交到窗口。',
  'check.result.notAttached': '这页扫描件不会随申请提交，已从本机清除。',
  'check.rescan': '重新扫描',
  'check.continue': '继续办理',
  'check.done': '完成',
} as const satisfies Record<CheckComputedKeys, string> & Record<`check.${string}`, string>;

export type CheckMessageKey = keyof typeof checkZhCN;
export type CheckDictionary = { readonly [K in CheckMessageKey]: string };
