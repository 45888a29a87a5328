/**
 * The checks the server makes, repeated on the phone so a member sees what is
 * wrong before sending (the server still decides). Each returns a rule for
 * antd-mobile's Form in the current language.
 */
type T = (zh: string, en: string) => string;
interface Rule {
  validator: (_: unknown, value: unknown) => Promise<void>;
}

const PHONE_PATTERN = /^1[3-9]\d{9}$/;
const MEMBER_PASSWORD_MIN = 8;

const rule = (check: (v: string) => boolean, message: string, optional = false): Rule => ({
  validator: async (_, value) => {
    const v = typeof value === 'string' ? value.trim() : '';
    if (optional && v === '') return;
    if (!check(v)) throw new Error(message);
  },
});

export const phoneRule = (t: T) => rule((v) => PHONE_PATTERN.test(v), t('请输入正确的 11 位手机号', 'Enter a valid 11-digit mobile number'));

export const smsCodeRule = (t: T) => rule((v) => /^\d{6}$/.test(v), t('请输入 6 位数字验证码', 'Enter the 6-digit code'));

/** At least 8 characters with a letter and a digit (server: assertStrongPassword). */
export const passwordRule = (t: T) =>
  rule(
    (v) => v.length >= MEMBER_PASSWORD_MIN && v.length <= 128 && /[A-Za-z]/.test(v) && /\d/.test(v),
    t('密码至少 8 位，且需同时包含字母和数字', 'At least 8 characters with letters and digits'),
  );

/** 统一社会信用代码 (GB 32100-2015): 18 characters with a check character. */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function isValidLicenceNo(raw: string): boolean {
  const v = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(v[i]!) * USCC_WEIGHTS[i]!;
  return USCC_ALPHABET[(31 - (sum % 31)) % 31] === v[17];
}

/** 居民身份证号码 (GB 11643-1999): a real birth date and the MOD 11-2 check character. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function isValidIdNumber(raw: string): boolean {
  const v = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^\d{17}[\dX]$/.test(v)) return false;
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth.getTime() > Date.now()) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(v[i]) * ID_WEIGHTS[i]!;
  return '10X98765432'[sum % 11] === v[17];
}

export const licenceRule = (t: T, optional = false) => rule(isValidLicenceNo, t('统一社会信用代码格式或校验位不正确', 'Invalid unified social credit code'), optional);
export const idNumberRule = (t: T, optional = false) => rule(isValidIdNumber, t('身份证号码格式、出生日期或校验位不正确', 'Invalid ID card number'), optional);
export const bankAccountRule = (t: T, optional = false) => rule((v) => /^\d{8,30}$/.test(v.replace(/\s+/g, '')), t('银行卡号应为 8–30 位数字', 'The account number has 8–30 digits'), optional);

/** A text of `min`–`max` characters after trimming. */
export const lengthRule = (t: T, min: number, max: number, optional = false) =>
  rule((v) => v.length >= min && v.length <= max, t(`请输入 ${min}–${max} 个字`, `Enter ${min}–${max} characters`), optional);
