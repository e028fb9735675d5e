import type { RatingService } from '@onevisit/protocol';

/** Keys the rating screens build from closed sets: each must have a text. */
type RatingComputedKeys = `rating.level.${1 | 2 | 3 | 4 | 5}` | `rating.service.${RatingService}`;

/**
 * Texts of 好差评 (issue 15), zh-CN: the source of the `rating.*` keys; rating.en.ts must have the
 * same keys. Loaded with whichever journey's chunk offers a rating (rating-texts.ts): application,
 * booking, pickup, progress query and supplement.
 */
export const ratingZhCN = {
  'rating.title': '请对本次服务进行评价',
  'rating.lead': '您的评价帮助我们改进服务（好差评）。评价不记录您的个人信息。',
  'rating.about': '评价事项：{subject}',
  'rating.level.5': '非常满意',
  'rating.level.4': '满意',
  'rating.level.3': '基本满意',
  'rating.level.2': '不满意',
  'rating.level.1': '非常不满意',
  'rating.reasonsTitle': '请选择不满意的原因（至少一项）',
  'rating.comment': '其他意见（可不填）',
  'rating.commentHint': '请勿填写姓名、证件号码、电话等个人信息。',
  'rating.commentCount': '{count}/{max} 字',
  'rating.commentDone': '收起键盘',
  'rating.submit': '提交评价',
  'rating.skip': '跳过评价',
  'rating.thanks': '感谢您的评价！',
  'rating.followUp': '我们会在 {date} 前跟进处理。',
  'rating.failed': '评价暂时无法提交，谢谢您。',
  'rating.finish': '完成',
  'rating.invite': '您对本次服务满意吗？',
  'rating.inviteOpen': '评价本次服务',
  'rating.inviteThanks': '已评价，感谢您！',
  'rating.inviteSkipped': '已跳过评价。',
  'rating.close': '返回',
  'rating.service.application': '申请办理',
  'rating.service.booking': '预约办理',
  'rating.service.pickup': '证照领取',
  'rating.service.query': '进度查询',
  'rating.service.supplement': '补交材料',
} as const satisfies Record<RatingComputedKeys, string> & Record<`rating.${string}`, string>;

export type RatingDictionary = { readonly [K in keyof typeof ratingZhCN]: string };
