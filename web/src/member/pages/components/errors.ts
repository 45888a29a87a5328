import { useCallback } from 'react';
import { ApiError, errorText } from '../../../shared/api';
import { useT } from '../../../shared/i18n';

type T = (zh: string, en: string) => string;
const HAS_CHINESE = /[\u4e00-\u9fff]/;

/**
 * Server messages are English unless a module wrote them in Chinese; members
 * read zh-CN. Codes with one meaning get a sentence in both languages; a
 * Chinese server message (onboarding, level purchase) is shown as it is.
 */
function describe(err: unknown, t: T, overrides: Partial<Record<string, string>>): string {
  if (!(err instanceof ApiError)) return errorText(err);
  const override = overrides[err.code];
  if (override) return override;
  const known: Partial<Record<string, string>> = {
    NETWORK: t('网络连接失败，请检查网络后重试', 'Network error, please check your connection and retry'),
    INVALID_CREDENTIALS: t('手机号或密码不正确', 'Wrong phone number or password'),
    ACCOUNT_LOCKED: t('登录失败次数过多，账号已临时锁定，请稍后再试', 'Too many failed logins; the account is locked for a while'),
    RATE_LIMITED: t('操作太频繁，请稍后再试', 'Too many attempts, please try again later'),
    SMS_CODE_INVALID: t('验证码错误或已过期', 'The verification code is wrong or has expired'),
    WEAK_PASSWORD: t('密码至少 8 位，且需同时包含字母和数字', 'The password needs at least 8 characters with letters and digits'),
    PHONE_TAKEN: t('该手机号已注册，请直接登录', 'This phone number is already registered; please log in'),
    ACCOUNT_DISABLED: t('账号已被停用，请联系客服', 'This account is disabled; please contact support'),
    UNAUTHENTICATED: t('登录已失效，请重新登录', 'Your session has ended; please log in again'),
    INSUFFICIENT_FUNDS: t('可提现余额不足', 'Not enough available balance'),
    NEGATIVE_BALANCE: t('您的可用余额为负（有待抵扣的追回款），暂不能提现', 'Your available balance is negative (a clawback is owed); withdrawals are paused'),
    LIMIT_EXCEEDED: t('已超过今日提现次数或金额上限，请明天再试', 'Today’s withdrawal count or amount limit is reached; try again tomorrow'),
    PAYLOAD_TOO_LARGE: t('图片太大，请换一张较小的图片', 'The image is too large; please choose a smaller one'),
    UNSUPPORTED_MEDIA_TYPE: t('仅支持 JPG、PNG、WebP 格式的图片', 'Only JPG, PNG or WebP images are accepted'),
    UNAVAILABLE: t('服务器繁忙，请稍后重试', 'The server is busy; please retry'),
  };
  if (known[err.code]) return known[err.code]!;
  if (HAS_CHINESE.test(err.message)) return err.message;
  // Field errors of a form: the Chinese ones (onboarding checks) say exactly what is wrong.
  if (Array.isArray(err.details)) {
    const zh = (err.details as { message?: unknown }[]).map((d) => (typeof d?.message === 'string' ? d.message : '')).filter((m) => HAS_CHINESE.test(m));
    if (zh.length > 0) return zh.join('；');
  }
  if (err.status >= 500) return t(`服务器出错了，请稍后重试（请求编号 ${err.requestId ?? '—'}）`, `Server error, please retry (request ${err.requestId ?? '—'})`);
  return t(`操作失败：${err.message}`, err.message);
}

/** `errText(err)` in the current language; `overrides` replace the sentence of a code for one screen. */
export function useErrorText() {
  const t = useT();
  return useCallback((err: unknown, overrides: Partial<Record<string, string>> = {}) => describe(err, t, overrides), [t]);
}
