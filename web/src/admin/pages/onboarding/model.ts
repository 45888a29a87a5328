/**
 * The shapes the onboarding review API answers with, and the words the
 * console uses for its states, risk codes, fields and images. The member pages
 * use them too (a member's onboarding state and risk flags).
 */

type T = (zh: string, en: string) => string;

export type ApplicationState = 'draft' | 'submitted' | 'approved' | 'rejected' | 'fee_pending' | 'active';
export type FileKind = 'licence' | 'id_front' | 'id_back' | 'storefront';

export interface QueueItem {
  memberId: number;
  displayName: string;
  phone: string;
  businessName: string | null;
  state: ApplicationState;
  revision: number;
  riskFlagCount: number;
  riskCodes: string[];
  submittedAt: string | null;
}

export interface RiskFlag {
  code: string;
  /** Written by the server in Chinese, with the figures that raised it. */
  message: string;
  evidence: Record<string, unknown>;
}

export interface ApplicationEvent {
  fromState: string | null;
  toState: string;
  actorKind: string;
  actorId: number | null;
  reason: string | null;
  at: string;
}

export interface ApplicationDetail {
  application: {
    memberId: number;
    state: ApplicationState | 'none';
    fields: Record<string, string | null>;
    /** false: ID and bank account numbers arrive masked (roles other than owner/risk). */
    revealed: boolean;
    files: { kind: FileKind; fileId: number }[];
    missing: string[];
    revision: number;
    submittedAt: string | null;
    reviewedAt: string | null;
    reviewReason: string | null;
    activatedAt: string | null;
  };
  riskFlags: RiskFlag[];
  files: { fileId: number; kind: FileKind; mime: string; size: number; createdAt: string }[];
  history: ApplicationEvent[];
  revisions: {
    revision: number;
    submittedAt: string;
    riskFlags: RiskFlag[];
    decision: string | null;
    decidedBy: number | null;
    decisionReason: string | null;
    decidedAt: string | null;
  }[];
}

const stateWords: Record<ApplicationState | 'none', { zh: string; en: string; color: string }> = {
  none: { zh: '未填写', en: 'Not started', color: 'default' },
  draft: { zh: '草稿', en: 'Draft', color: 'default' },
  submitted: { zh: '待审核', en: 'Awaiting review', color: 'processing' },
  approved: { zh: '已通过 · 待缴费', en: 'Approved · fee due', color: 'cyan' },
  rejected: { zh: '已驳回', en: 'Rejected', color: 'error' },
  fee_pending: { zh: '缴费中', en: 'Fee pending', color: 'gold' },
  active: { zh: '已入驻', en: 'Active', color: 'success' },
};

export const applicationStates: ApplicationState[] = ['submitted', 'draft', 'approved', 'fee_pending', 'rejected', 'active'];

export function stateLabel(t: T, state: string): string {
  const w = stateWords[state as ApplicationState];
  return w ? t(w.zh, w.en) : state;
}

export function stateColor(state: string): string {
  return stateWords[state as ApplicationState]?.color ?? 'default';
}

const riskWords: Record<string, { zh: string; en: string; color: string }> = {
  duplicate_licence: { zh: '执照号重复', en: 'Duplicate licence', color: 'volcano' },
  duplicate_id_number: { zh: '身份证号重复', en: 'Duplicate ID number', color: 'volcano' },
  blacklist: { zh: '命中黑名单', en: 'Blacklisted', color: 'red' },
  registration_burst_ip: { zh: '同 IP 批量注册', en: 'Burst from one IP', color: 'orange' },
  registration_burst_device: { zh: '同设备批量注册', en: 'Burst from one device', color: 'orange' },
};

export function riskLabel(t: T, code: string): string {
  const w = riskWords[code];
  return w ? t(w.zh, w.en) : code;
}

export function riskColor(code: string): string {
  return riskWords[code]?.color ?? 'warning';
}

/** In the order the member's form asks for them. */
export const fieldOrder: { key: string; zh: string; en: string }[] = [
  { key: 'businessName', zh: '商户名称', en: 'Business name' },
  { key: 'category', zh: '经营类目', en: 'Category' },
  { key: 'licenceNo', zh: '统一社会信用代码', en: 'Licence number' },
  { key: 'address', zh: '经营地址', en: 'Address' },
  { key: 'legalName', zh: '法人姓名', en: 'Legal representative' },
  { key: 'idNumber', zh: '法人身份证号', en: 'ID number' },
  { key: 'contactPhone', zh: '联系电话', en: 'Contact phone' },
  { key: 'bankAccountName', zh: '结算账户名', en: 'Account holder' },
  { key: 'bankName', zh: '开户银行', en: 'Bank' },
  { key: 'bankAccountNo', zh: '结算账号', en: 'Account number' },
];

const fileWords: Record<FileKind, { zh: string; en: string }> = {
  licence: { zh: '营业执照', en: 'Business licence' },
  id_front: { zh: '身份证人像面', en: 'ID card (photo side)' },
  id_back: { zh: '身份证国徽面', en: 'ID card (emblem side)' },
  storefront: { zh: '门头照片', en: 'Storefront' },
};
export const fileKinds: FileKind[] = ['licence', 'id_front', 'id_back', 'storefront'];

export function fileLabel(t: T, kind: string): string {
  const w = fileWords[kind as FileKind];
  if (w) return t(w.zh, w.en);
  const f = fieldOrder.find((x) => x.key === kind);
  return f ? t(f.zh, f.en) : kind;
}

export function actorLabel(t: T, kind: string, id: number | null): string {
  const who = kind === 'member' ? t('会员', 'Member') : kind === 'staff' ? t('员工', 'Staff') : kind === 'system' ? t('系统', 'System') : kind;
  return id === null ? who : `${who} #${id}`;
}

export const fileUrl = (memberId: number, fileId: number) => `/api/admin/onboarding/${memberId}/files/${fileId}`;
