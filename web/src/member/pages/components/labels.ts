import type { FileKind, OnboardingState, WithdrawalStatus } from './types';

type T = (zh: string, en: string) => string;
type TagColor = 'default' | 'primary' | 'success' | 'warning' | 'danger';

export function onboardingStateLabel(t: T, state: OnboardingState | string): { text: string; color: TagColor } {
  switch (state) {
    case 'none':
      return { text: t('未填写', 'Not started'), color: 'default' };
    case 'draft':
      return { text: t('草稿', 'Draft'), color: 'default' };
    case 'submitted':
      return { text: t('审核中', 'Under review'), color: 'primary' };
    case 'approved':
      return { text: t('审核通过', 'Approved'), color: 'success' };
    case 'rejected':
      return { text: t('未通过', 'Rejected'), color: 'danger' };
    case 'fee_pending':
      return { text: t('待支付入驻费', 'Entry fee pending'), color: 'warning' };
    case 'active':
      return { text: t('已入驻', 'Active'), color: 'success' };
    default:
      return { text: state, color: 'default' };
  }
}

export function withdrawalStatusLabel(t: T, status: WithdrawalStatus | string): { text: string; color: TagColor } {
  switch (status) {
    case 'requested':
      return { text: t('待审核', 'Requested'), color: 'primary' };
    case 'approved':
      return { text: t('已审核，待打款', 'Approved'), color: 'primary' };
    case 'paying':
      return { text: t('打款中', 'Paying'), color: 'warning' };
    case 'paid':
      return { text: t('已到账', 'Paid'), color: 'success' };
    case 'rejected':
      return { text: t('已驳回', 'Rejected'), color: 'danger' };
    case 'failed':
      return { text: t('打款失败', 'Failed'), color: 'danger' };
    default:
      return { text: status, color: 'default' };
  }
}

export function memberStatusLabel(t: T, status: string): { text: string; color: TagColor } {
  switch (status) {
    case 'active':
      return { text: t('正常', 'Active'), color: 'success' };
    case 'suspended':
      return { text: t('已冻结', 'Suspended'), color: 'warning' };
    case 'closed':
      return { text: t('已注销', 'Closed'), color: 'default' };
    default:
      return { text: status, color: 'default' };
  }
}

export function levelCauseLabel(t: T, cause: string | null): string {
  switch (cause) {
    case 'purchase':
      return t('购买升级', 'Purchased');
    case 'performance':
      return t('业绩达标升级', 'Reached by performance');
    case 'downgrade':
      return t('未达保级条件降级', 'Downgraded');
    case 'staff':
      return t('平台调整', 'Set by the platform');
    default:
      return t('初始等级', 'Starting level');
  }
}

export function paymentStatusLabel(t: T, status: string): { text: string; color: TagColor } {
  switch (status) {
    case 'pending':
      return { text: t('待支付', 'Awaiting payment'), color: 'warning' };
    case 'paid':
      return { text: t('支付成功', 'Paid'), color: 'success' };
    case 'failed':
      return { text: t('支付失败', 'Failed'), color: 'danger' };
    case 'expired':
      return { text: t('已过期', 'Expired'), color: 'default' };
    case 'closed':
      return { text: t('已关闭', 'Closed'), color: 'default' };
    default:
      return { text: status, color: 'default' };
  }
}

export const FILE_KINDS: FileKind[] = ['licence', 'id_front', 'id_back', 'storefront'];

export function fileKindLabel(t: T, kind: FileKind | string): string {
  switch (kind) {
    case 'licence':
      return t('营业执照', 'Business licence');
    case 'id_front':
      return t('身份证人像面', 'ID card (photo side)');
    case 'id_back':
      return t('身份证国徽面', 'ID card (emblem side)');
    case 'storefront':
      return t('门头照片', 'Storefront photo');
    default:
      return kind;
  }
}

/** The onboarding form's fields in the server's order, with their labels. */
export const ONBOARDING_FIELDS = [
  'businessName',
  'licenceNo',
  'legalName',
  'idNumber',
  'contactPhone',
  'address',
  'category',
  'bankAccountName',
  'bankName',
  'bankAccountNo',
] as const;
export type OnboardingField = (typeof ONBOARDING_FIELDS)[number];

export function fieldLabel(t: T, field: OnboardingField | string): string {
  const labels: Record<OnboardingField, string> = {
    businessName: t('商户名称', 'Business name'),
    licenceNo: t('统一社会信用代码', 'Credit code'),
    legalName: t('法人姓名', 'Legal representative'),
    idNumber: t('法人身份证号', 'ID card number'),
    contactPhone: t('联系电话', 'Contact phone'),
    address: t('经营地址', 'Business address'),
    category: t('经营类目', 'Category'),
    bankAccountName: t('结算账户名', 'Account holder'),
    bankName: t('开户银行', 'Bank'),
    bankAccountNo: t('结算账号', 'Account number'),
  };
  return (labels as Record<string, string>)[field] ?? fileKindLabel(t, field);
}
