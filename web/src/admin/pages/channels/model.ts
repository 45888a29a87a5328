/** Shapes of the channels API (src/modules/channels/channels.routes.ts) and their words. */
export type ChannelKind = 'push' | 'sandbox' | 'wechatpay' | 'alipay';

export interface Channel {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
  /** Masked by the server; the page only ever says which ones are set. */
  secrets: Record<string, unknown>;
}

export interface Merchant {
  merchantRef: string;
  memberId: number;
  createdAt: string;
}

type Words = [zh: string, en: string];

export const kindWords: Record<ChannelKind, [zh: string, en: string, color: string, hintZh: string, hintEn: string]> = {
  push: ['交易推送', 'Transaction push', 'purple', '合作方把商户的交易推送到平台（HMAC 签名），用于业绩与奖励', 'A partner pushes merchant transactions (HMAC signed) for performance and rewards'],
  wechatpay: ['微信支付', 'WeChat Pay', 'green', '会员用微信支付入驻费与等级购买（APIv3）', 'Members pay fees with WeChat Pay (APIv3)'],
  alipay: ['支付宝', 'Alipay', 'blue', '会员用支付宝支付入驻费与等级购买', 'Members pay fees with Alipay'],
  sandbox: ['模拟通道', 'Sandbox', 'default', '开发与演示用，不产生真实资金流动', 'For development and demos; no real money moves'],
};

export const secretWords: Record<string, Words> = {
  pushSecrets: ['推送签名密钥', 'Push signing secrets'],
  apiV3Key: ['APIv3 密钥', 'APIv3 key'],
  merchantPrivateKeyPem: ['商户 API 私钥', 'Merchant API private key'],
  appPrivateKeyPem: ['应用私钥', 'App private key'],
};

export const CHANNEL_ID_PATTERN = /^[a-z][a-z0-9_-]{1,31}$/;

/** A fresh push secret: 32 random bytes as hex, from the browser's CSPRNG. */
export function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The merchant identifiers worth showing in a list, by kind. */
export function merchantIds(c: Channel): { label: Words; value: string }[] {
  const str = (k: string) => (typeof c.config[k] === 'string' ? (c.config[k] as string) : null);
  const out: { label: Words; value: string }[] = [];
  const add = (label: Words, v: string | null) => v && out.push({ label, value: v });
  if (c.kind === 'wechatpay') {
    add(['商户号', 'mchid'], str('mchid'));
    add(['AppID', 'AppID'], str('appid'));
  } else if (c.kind === 'alipay') {
    add(['AppID', 'AppID'], str('appId'));
    add(['卖家 ID', 'Seller id'], str('sellerId'));
  }
  return out;
}
