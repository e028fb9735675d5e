import type { DeviceId, DeviceReason, DeviceState, DevDeviceState } from '@onevisit/protocol';
import type { ReadErrorKind } from '../state/read-error.ts';
import { applyZhCN } from './forms.zh-cn.ts';
import type { BookingDictionary } from './booking.zh-cn.ts';
import { scanZhCN } from './scan.zh-cn.ts';
import { checkZhCN } from './check.zh-cn.ts';
import type { StaffDictionary } from './staff.zh-cn.ts';
import type { PickupDictionary } from './pickup.zh-cn.ts';
import type { ProgressDictionary } from './progress.zh-cn.ts';
import type { RatingDictionary } from './rating.zh-cn.ts';
import type { AddressDictionary } from './address.zh-cn.ts';
import { a11yZhCN } from './a11y.zh-cn.ts';

/** Keys that code builds from closed sets (device reasons, error kinds): each must have a text. */
type ComputedKeys =
  | `device.${DeviceId}`
  | `deviceState.${DeviceState}`
  | `reason.${DeviceReason}`
  | `readError.${ReadErrorKind}.title`
  | `readError.${ReadErrorKind}.body`
  | `devState.${DevDeviceState}`
  | `home.degraded.${'receipt' | 'a4'}.${'paperEmpty' | 'exchange' | 'deviceNotReady'}`;

/**
 * The Chinese dictionary is the source of every key: the English one must have exactly the same keys
 * (see en.ts), so a text missing in either language fails the type check.
 * `{name}` placeholders are filled by `t(key, { name })`.
 */
export const zhCN = {
  'app.brand': '一次办',
  'app.hall': '24小时自助服务厅',
  'app.terminalLabel': '自助服务终端',
  'app.keepCard': '办理期间请将身份证留在读卡区，取走即结束服务',
  'app.demo': '演示',
  'app.demoNote': '演示终端：设备均为模拟，在此办理的业务不会生效',
  'lang.switchTo': 'English',

  'attract.title': '欢迎使用自助服务',
  'attract.slogan': '最多跑一次',
  'attract.touch': '轻触屏幕开始',
  'attract.startLabel': '开始办理',
  'attract.hint': '一表申请 · 预约办理 · 证照领取 · 进度查询',

  'home.title': '请选择要办理的业务',
  'home.exit': '退出',
  'home.comingSoon': '即将开放',
  'home.servicesLabel': '业务列表',
  'service.identify.title': '身份证核验',
  'service.identify.body': '将身份证放在读卡区，核验您的身份',
  'service.apply.title': '一表申请',
  'service.apply.body': '刷证自动填表，无需手写',
  'service.book.title': '预约办理',
  'service.book.body': '预约窗口办理时间',
  'service.collect.title': '证照领取',
  'service.collect.body': '领取已办结的证照',
  'service.progress.title': '进度查询',
  'service.progress.body': '查询办件进度',
  'service.rate.title': '好差评',
  'service.rate.body': '为我们的服务打分',

  'identify.title': '请将身份证放在读卡区',
  'identify.where': '读卡区位于屏幕下方，带有身份证图标的平台',
  'identify.illustrationLabel': '示意图：将身份证平放在屏幕下方的读卡区上',
  'identify.stage.starting': '正在准备读卡器…',
  'identify.stage.waitingForCard': '等待放置身份证',
  'identify.stage.cardFound': '已检测到身份证，请勿移动',
  'identify.stage.reading': '正在读取，请勿移动身份证…',
  'identify.cancel': '取消',
  'identify.back': '返回',
  'identify.retry': '重试',
  'identify.errorLabel': '读卡未成功',

  'readError.readerOffline.title': '读卡器暂时无法使用',
  'readError.readerOffline.body': '读卡器目前离线或故障。请稍后再试，或联系大厅工作人员协助。',
  'readError.cardExpired.title': '此身份证已过有效期',
  'readError.cardExpired.body': '很抱歉，过期的证件无法办理业务。请使用有效证件，或到人工窗口咨询。',
  'readError.notYetValid.title': '此身份证尚未生效',
  'readError.notYetValid.body': '证件有效期尚未开始。请使用其他有效证件，或到人工窗口咨询。',
  'readError.notRecognised.title': '无法识别此卡',
  'readError.notRecognised.body': '请确认放置的是居民身份证或外国人永久居留身份证，平放于读卡区后重试。',
  'readError.noCard.title': '未检测到身份证',
  'readError.noCard.body': '等待时间已到。请将身份证平放在读卡区后点击“重试”。',
  'readError.failed.title': '读卡失败',
  'readError.failed.body': '请取下身份证，重新平放在读卡区，读取完成前请勿移动。',

  'confirmed.title': '身份核验成功',
  'confirmed.lead': '请核对以下信息是否为您本人',
  'confirmed.name': '姓名',
  'confirmed.englishName': '英文姓名',
  'confirmed.idNumber': '证件号码',
  'confirmed.cardType': '证件类型',
  'confirmed.cardType.resident': '居民身份证',
  'confirmed.cardType.foreignPermanent': '外国人永久居留身份证',
  'confirmed.privacy': '为保护您的隐私，信息已部分隐藏，结束后将立即清除。',
  'confirmed.done': '完成',
  'confirmed.notMe': '不是本人',
  'confirmed.services': '办理业务',

  'done.title': '感谢使用',
  'done.takeCard': '请取走您的身份证件和材料',
  'done.takeCard.foreignPermanent': '请取走您的永久居留身份证和材料',
  'done.takeCardLeft': '您的身份证还在读卡器上，请取走',
  'done.takeCardLeft.foreignPermanent': '您的永久居留身份证还在读卡器上，请取走',
  'identify.cardLeft': '读卡器上已有一张身份证：请先取下，再重新放好，才能读取',
  'grace.title': '请将身份证放回读卡器',
  'grace.title.foreignPermanent': '请将永久居留身份证放回读卡器',
  'grace.body': '{seconds} 秒内放回同一张身份证，可继续办理，已填写的内容不会丢失；否则将结束服务并清除信息。',
  'grace.end': '结束服务',
  'done.cleared': '您的个人信息已从本机清除。',
  'done.cardRemoved': '身份证已取下，本次服务已结束，个人信息已清除。',
  'done.cardRemoved.foreignPermanent': '永久居留身份证已取下，本次服务已结束，个人信息已清除。',
  'done.returning': '{seconds} 秒后返回首页',
  'done.home': '返回首页',

  'idle.title': '您还在吗？',
  'idle.body': '为保护您的隐私，{seconds} 秒后将结束本次服务并清除您的信息。',
  'idle.continue': '继续办理',
  'idle.end': '结束服务',

  'oos.title': '暂停服务',
  'oos.body': '本终端暂时无法提供服务，正在自动恢复。',
  'oos.help': '您可以使用其他终端，或联系大厅工作人员。',
  'oos.reconnecting': '正在重新连接…',

  'device.idCard': '身份证读卡器',
  'device.scanner': '扫描仪',
  'device.printer': 'A4 打印机',
  'device.receiptPrinter': '凭条打印机',
  'device.dispenser': '证照柜',
  'deviceState.online': '正常',
  'deviceState.offline': '离线',
  'deviceState.busy': '忙碌',
  'deviceState.fault': '故障',
  'reason.ok': '正常',
  'reason.notConfigured': '未配置',
  'reason.disconnected': '已断开连接',
  'reason.noResponse': '无响应',
  'reason.samError': '安全模块故障',
  'reason.paperLow': '纸张即将用完',
  'reason.paperOut': '缺纸',
  'reason.coverOpen': '机盖未关闭',
  'reason.paperJam': '卡纸',
  'reason.cardJammed': '卡片被卡住',
  'reason.doorOpen': '柜门未关闭',
  'reason.stockLow': '库存不足',
  'reason.stockEmpty': '库存已空',
  'reason.hardwareFault': '硬件故障',
  'reason.simulatedOffline': '模拟离线',
  'reason.simulatedFault': '模拟故障',

  'dev.open': '开发',
  'dev.openLabel': '打开开发面板',
  'dev.closeLabel': '关闭开发面板',
  'dev.title': '开发面板',
  'dev.identity': '样例身份',
  'dev.insert': '放入身份证',
  'dev.remove': '取走身份证',
  'dev.devices': '设备状态',
  'dev.stateLabel': '{device}状态',
  'dev.expired': '已过期',
  'dev.foreign': '永居证',
  'dev.failed': '操作失败：{code}',
  'devState.online': '在线',
  'devState.offline': '离线',
  'devState.fault': '故障',
  'devState.paperLow': '纸少',
  'devState.paperOut': '缺纸',
  'devState.coverOpen': '开盖',
  'devState.paperJam': '卡纸',
  'home.degraded.title': '部分打印暂停',
  'home.degraded.receipt.paperEmpty': '凭条打印机缺纸：办理完成后，受理编号会显示在屏幕上，并附二维码，请用手机拍照保存。',
  'home.degraded.receipt.exchange': '工作人员正在为凭条打印机补纸：办理完成后，受理编号会显示在屏幕上，并附二维码，请用手机拍照保存。',
  'home.degraded.receipt.deviceNotReady': '凭条打印机暂停服务：办理完成后，受理编号会显示在屏幕上，并附二维码，请用手机拍照保存。',
  'home.degraded.a4.paperEmpty': 'A4 打印机缺纸：申请表暂不打印，您的申请仍可正常提交受理。',
  'home.degraded.a4.exchange': '工作人员正在为 A4 打印机补纸：申请表暂不打印，您的申请仍可正常提交受理。',
  'home.degraded.a4.deviceNotReady': 'A4 打印机暂停服务：申请表暂不打印，您的申请仍可正常提交受理。',
  ...applyZhCN,
  ...scanZhCN,
  ...checkZhCN,
  ...a11yZhCN,
} as const satisfies Record<ComputedKeys, string> & Record<string, string>;

/** Texts every screen may need; loaded with the first screen. */
export type CoreDictionary = { readonly [K in keyof typeof zhCN]: string };
/** Every key: the core ones and those of parts loaded later with their screens (booking, staff mode, pickup, progress, rating, address picker). */
export type MessageKey = keyof typeof zhCN | keyof BookingDictionary | keyof StaffDictionary | keyof PickupDictionary | keyof ProgressDictionary | keyof RatingDictionary | keyof AddressDictionary;
export type Dictionary = { readonly [K in MessageKey]: string };
