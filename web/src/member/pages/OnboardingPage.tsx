import { Button, Dialog, Form, Image, ImageViewer, List, NoticeBar, Result, Steps, Tag, Toast, type ImageUploadItem } from 'antd-mobile';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../../shared/api';
import { formatDateTime } from '../../shared/format';
import { useT } from '../../shared/i18n';
import { formatMoney } from '../../shared/money';
import { useApi } from '../../shared/use-api';
import { useMemberSession } from '../session';
import { useErrorText } from './components/errors';
import { FieldInput, FieldTextArea } from './components/fields';
import { fileUrl, KindUploader } from './components/KindUploader';
import { FILE_KINDS, fieldLabel, fileKindLabel, ONBOARDING_FIELDS, onboardingStateLabel, type OnboardingField } from './components/labels';
import type { FileKind, OnboardingApplication, OnboardingView } from './components/types';
import { LoadError, PageBody, PageSkeleton, Section } from './components/ui';
import { bankAccountRule, idNumberRule, lengthRule, licenceRule, phoneRule } from './components/validators';

type Values = Record<OnboardingField, string | undefined>;
/** The server masks these two (********9495); the form never sends a masked value back. */
const MASKED: OnboardingField[] = ['idNumber', 'bankAccountNo'];
const isMasked = (v: string | null | undefined) => !!v && v.includes('*');

function filesOf(app: OnboardingApplication): Record<FileKind, ImageUploadItem[]> {
  const out = { licence: [], id_front: [], id_back: [], storefront: [] } as Record<FileKind, ImageUploadItem[]>;
  for (const f of app.files) out[f.kind] = [{ key: f.fileId, url: fileUrl(f.fileId) }];
  return out;
}

/** The form while it is a draft (or after a rejection): save any time, submit when complete. */
function ApplicationForm({ view, defaultPhone, onSaved }: { view: OnboardingView; defaultPhone?: string; onSaved: (app: OnboardingApplication) => void }) {
  const t = useT();
  const errText = useErrorText();
  const app = view.application;
  const [form] = Form.useForm<Values>();
  const [files, setFiles] = useState(() => filesOf(app));
  const [missingFiles, setMissingFiles] = useState<FileKind[]>([]);
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  const saved = app.fields;
  const initial = useMemo(() => {
    const v: Partial<Values> = {};
    for (const f of ONBOARDING_FIELDS) v[f] = MASKED.includes(f) && isMasked(saved[f]) ? '' : (saved[f] ?? '');
    // A new form starts with the phone the member registered with as the contact phone.
    if (!v.contactPhone && defaultPhone) v.contactPhone = defaultPhone;
    return v;
  }, [saved, defaultPhone]);

  /** What changed since the last save; blank fields are left as they are on the server. */
  const changes = (values: Values) => {
    const body: Partial<Record<OnboardingField, string>> = {};
    for (const f of ONBOARDING_FIELDS) {
      const v = (values[f] ?? '').trim();
      if (v && v !== (saved[f] ?? '')) body[f] = v;
    }
    return body;
  };

  const save = async (): Promise<OnboardingApplication | null> => {
    let values: Values;
    try {
      values = await form.validateFields();
    } catch {
      Toast.show({ content: t('请先修正标红的内容', 'Please correct the fields in red') });
      return null;
    }
    const body = changes(values);
    const next = Object.keys(body).length > 0 ? await api.put<OnboardingApplication>('/api/member/onboarding', body) : app;
    return next;
  };

  const saveDraft = async () => {
    setBusy('save');
    try {
      const next = await save();
      if (next) {
        Toast.show({ icon: 'success', content: t('草稿已保存', 'Draft saved') });
        onSaved(next);
      }
    } catch (err) {
      Toast.show({ content: errText(err) });
    } finally {
      setBusy(null);
    }
  };

  const submit = async () => {
    setBusy('submit');
    try {
      const next = await save();
      if (!next) return;
      if (next !== app) onSaved(next);
      // Photos are judged by this screen (uploads since the last load, or removed and not replaced); fields by the server.
      const missingFields = next.missing.filter((m) => !(FILE_KINDS as string[]).includes(m));
      const missing = [...missingFields, ...FILE_KINDS.filter((k) => files[k].length === 0)];
      if (missing.length > 0) {
        form.setFields(
          missing.filter((m): m is OnboardingField => (ONBOARDING_FIELDS as readonly string[]).includes(m)).map((name) => ({ name, errors: [t(`请填写${fieldLabel(t, name)}`, `${fieldLabel(t, name)} is required`)] })),
        );
        setMissingFiles(missing.filter((m): m is FileKind => (FILE_KINDS as string[]).includes(m)));
        Toast.show({
          content:
            missing.length > 3
              ? t(`还有 ${missing.length} 项未完成，请补充标红的内容`, `${missing.length} items are missing — see the fields in red`)
              : t(`资料还不完整：${missing.map((m) => fieldLabel(t, m)).join('、')}`, `Still missing: ${missing.map((m) => fieldLabel(t, m)).join(', ')}`),
        });
        return;
      }
      const ok = await Dialog.confirm({
        title: t('提交审核', 'Submit for review'),
        content: t('提交后审核期间不能修改资料，确认信息无误并提交吗？', 'The form cannot be changed during the review. Submit now?'),
        confirmText: t('确认提交', 'Submit'),
        cancelText: t('再看看', 'Cancel'),
      });
      if (!ok) return;
      const submitted = await api.post<OnboardingApplication>('/api/member/onboarding/submit');
      Toast.show({ icon: 'success', content: t('已提交，请等待审核', 'Submitted for review') });
      onSaved(submitted);
    } catch (err) {
      Toast.show({ content: errText(err) });
    } finally {
      setBusy(null);
    }
  };

  const item = (name: OnboardingField, input: JSX.Element, rules: object[], description?: string) => (
    <Form.Item name={name} label={fieldLabel(t, name)} rules={rules} description={description}>
      {input}
    </Form.Item>
  );
  const maskedHelp = (f: OnboardingField) =>
    isMasked(saved[f]) ? t(`已填写（尾号 ${saved[f]!.replace(/\*/g, '')}），如需修改请重新输入`, `Saved (ending ${saved[f]!.replace(/\*/g, '')}); type again to change it`) : undefined;

  return (
    <>
      <Form form={form} layout="vertical" mode="card" initialValues={initial} style={{ margin: '-12px -12px 0' }}>
        <Form.Header>{t('商户信息', 'Business')}</Form.Header>
        {item('businessName', <FieldInput testId="ob-businessName" placeholder={t('与营业执照一致', 'As on the business licence')} maxLength={100} clearable />, [lengthRule(t, 2, 100, true)])}
        {item('licenceNo', <FieldInput testId="ob-licenceNo" placeholder={t('18 位统一社会信用代码', '18-character credit code')} maxLength={18} clearable />, [licenceRule(t, true)])}
        {item('category', <FieldInput testId="ob-category" placeholder={t('如：餐饮、零售、茶饮咖啡', 'e.g. restaurant, retail')} maxLength={40} clearable />, [lengthRule(t, 1, 40, true)])}
        {item('address', <FieldTextArea testId="ob-address" placeholder={t('省、市、区及详细地址', 'Full business address')} maxLength={200} rows={2} autoSize={{ minRows: 2, maxRows: 4 }} />, [lengthRule(t, 5, 200, true)])}
        {item('contactPhone', <FieldInput testId="ob-contactPhone" type="tel" placeholder={t('11 位手机号', '11-digit mobile number')} maxLength={11} clearable />, [{ validator: async (_: unknown, v: unknown) => (typeof v === 'string' && v.trim() ? phoneRule(t).validator(_, v) : undefined) }])}
        <Form.Header>{t('法人信息', 'Legal representative')}</Form.Header>
        {item('legalName', <FieldInput testId="ob-legalName" placeholder={t('法人姓名', 'Full name')} maxLength={40} clearable />, [lengthRule(t, 2, 40, true)])}
        {item('idNumber', <FieldInput testId="ob-idNumber" placeholder={isMasked(saved.idNumber) ? t('不修改请留空', 'Leave blank to keep') : t('18 位身份证号码', '18-digit ID number')} maxLength={18} clearable />, [idNumberRule(t, true)], maskedHelp('idNumber'))}
        <Form.Header>{t('结算账户', 'Settlement account')}</Form.Header>
        {item('bankAccountName', <FieldInput testId="ob-bankAccountName" placeholder={t('开户名', 'Account holder')} maxLength={100} clearable />, [lengthRule(t, 2, 100, true)])}
        {item('bankName', <FieldInput testId="ob-bankName" placeholder={t('如：中国建设银行杭州上城支行', 'Bank and branch')} maxLength={60} clearable />, [lengthRule(t, 2, 60, true)])}
        {item('bankAccountNo', <FieldInput testId="ob-bankAccountNo" inputMode="numeric" placeholder={isMasked(saved.bankAccountNo) ? t('不修改请留空', 'Leave blank to keep') : t('银行卡号', 'Account number')} maxLength={30} clearable />, [bankAccountRule(t, true)], maskedHelp('bankAccountNo'))}
      </Form>
      <Section title={t('证件照片', 'Photos')}>
        <div style={{ fontSize: 12, color: 'var(--adm-color-weak)', marginBottom: 12 }}>{t('请上传清晰、完整的照片，支持 JPG、PNG、WebP', 'Clear, complete photos; JPG, PNG or WebP')}</div>
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(2, minmax(0, 1fr))', gap: 16, justifyItems: 'center' }}>
          {FILE_KINDS.map((kind) => (
            <KindUploader
              key={kind}
              kind={kind}
              value={files[kind]}
              error={missingFiles.includes(kind) && files[kind].length === 0}
              onChange={(items) => setFiles((f) => ({ ...f, [kind]: items.slice(-1) }))}
            />
          ))}
        </div>
      </Section>
      <div style={{ display: 'flex', gap: 12, padding: '4px 0 16px' }}>
        <Button style={{ flex: 1 }} size="large" loading={busy === 'save'} disabled={busy !== null} onClick={() => void saveDraft()} data-testid="onboarding-save">
          {t('保存草稿', 'Save draft')}
        </Button>
        <Button style={{ flex: 2 }} size="large" color="primary" loading={busy === 'submit'} disabled={busy !== null} onClick={() => void submit()} data-testid="onboarding-submit">
          {t('提交审核', 'Submit for review')}
        </Button>
      </div>
    </>
  );
}

/** What was submitted, read-only, with the photos (tap to enlarge). */
function SubmittedSummary({ app }: { app: OnboardingApplication }) {
  const t = useT();
  const urls = app.files.map((f) => fileUrl(f.fileId));
  return (
    <Section title={t('提交的资料', 'Submitted information')}>
      <List style={{ '--border-top': 'none', '--border-bottom': 'none', '--font-size': '14px', '--padding-left': '0', '--padding-right': '0' }}>
        {ONBOARDING_FIELDS.map((f) => (
          <List.Item key={f} extra={<span style={{ wordBreak: 'break-all' }}>{app.fields[f] ?? '—'}</span>} data-testid={`ob-view-${f}`}>
            <span style={{ color: 'var(--adm-color-weak)', whiteSpace: 'nowrap' }}>{fieldLabel(t, f)}</span>
          </List.Item>
        ))}
      </List>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(4, minmax(0, 1fr))', gap: 8, paddingTop: 12 }}>
        {app.files.map((f, i) => (
          <div key={f.kind} style={{ textAlign: 'center' }}>
            <Image src={fileUrl(f.fileId)} width="100%" height={64} fit="cover" style={{ borderRadius: 6 }} onClick={() => ImageViewer.Multi.show({ images: urls, defaultIndex: i })} />
            <div style={{ fontSize: 11, color: 'var(--adm-color-weak)', marginTop: 4 }}>{fileKindLabel(t, f.kind)}</div>
          </div>
        ))}
      </div>
    </Section>
  );
}

function History({ view }: { view: OnboardingView }) {
  const t = useT();
  if (view.history.length === 0) return null;
  const items = [...view.history].reverse();
  return (
    <Section title={t('办理记录', 'History')}>
      <Steps direction="vertical" current={0} style={{ '--title-font-size': '14px', '--description-font-size': '12px', padding: 0 }}>
        {items.map((h, i) => {
          const label = onboardingStateLabel(t, h.toState);
          return (
            <Steps.Step
              key={i}
              status={h.toState === 'rejected' ? 'error' : i === 0 ? 'process' : 'finish'}
              title={label.text}
              description={
                <>
                  <div>{formatDateTime(h.at)}</div>
                  {h.reason ? <div>{h.reason}</div> : null}
                </>
              }
            />
          );
        })}
      </Steps>
    </Section>
  );
}

/** Submitted, approved, fee pending, active or rejected: where the application stands and what to do next. */
function StatusView({ view, onEdit }: { view: OnboardingView; onEdit: () => void }) {
  const t = useT();
  const navigate = useNavigate();
  const app = view.application;
  const fee = formatMoney(view.entryFeeFen);
  const result = (() => {
    switch (app.state) {
      case 'submitted':
        return { status: 'waiting' as const, title: t('资料审核中', 'Under review'), description: t(`已于 ${formatDateTime(app.submittedAt)} 提交，审核结果将在这里显示`, `Submitted on ${formatDateTime(app.submittedAt)}; the result will show here`) };
      case 'approved':
      case 'fee_pending':
        return { status: 'success' as const, title: t('审核已通过', 'Approved'), description: t(`缴纳入驻费 ${fee} 后即可开通全部功能`, `Pay the entry fee of ${fee} to activate your account`) };
      case 'rejected':
        return { status: 'error' as const, title: t('审核未通过', 'Not approved'), description: app.reviewReason ? t(`原因：${app.reviewReason}`, `Reason: ${app.reviewReason}`) : t('请修改资料后重新提交', 'Please correct the form and submit again') };
      default:
        return { status: 'success' as const, title: t('入驻完成', 'You are active'), description: t(`已于 ${formatDateTime(app.activatedAt)} 开通`, `Active since ${formatDateTime(app.activatedAt)}`) };
    }
  })();
  return (
    <>
      <Section style={{ padding: 0, overflow: 'hidden' }} testId="onboarding-status">
        <div data-state={app.state} data-testid="onboarding-state">
          <Result status={result.status} title={result.title} description={result.description} />
        </div>
        {app.state === 'rejected' ? (
          <div style={{ padding: '0 16px 16px' }}>
            <Button block color="primary" size="large" onClick={onEdit} data-testid="onboarding-edit">
              {t('修改资料并重新提交', 'Edit and submit again')}
            </Button>
          </div>
        ) : null}
        {app.state === 'approved' || app.state === 'fee_pending' ? (
          <div style={{ padding: '0 16px 16px' }}>
            <Button block color="primary" size="large" onClick={() => navigate('/pay')} data-testid="onboarding-pay">
              {t(`缴纳入驻费 ${fee}`, `Pay the entry fee ${fee}`)}
            </Button>
          </div>
        ) : null}
      </Section>
      {app.state !== 'rejected' ? <SubmittedSummary app={app} /> : null}
      <History view={view} />
    </>
  );
}

export default function OnboardingPage() {
  const t = useT();
  const { me } = useMemberSession();
  const loaded = useApi<OnboardingView>('/api/member/onboarding');
  const [view, setView] = useState<OnboardingView>();
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (loaded.data) setView(loaded.data);
  }, [loaded.data]);

  if (!view) return loaded.error ? <LoadError error={loaded.error} onRetry={loaded.reload} /> : <PageSkeleton rows={4} />;
  const app = view.application;
  const formOpen = app.state === 'none' || app.state === 'draft' || (app.state === 'rejected' && editing);
  const state = onboardingStateLabel(t, app.state);
  const onSaved = (next: OnboardingApplication) => {
    setView((v) => (v ? { ...v, application: next } : v));
    // A submission changes the history too.
    if (next.state !== app.state) {
      setEditing(false);
      loaded.reload();
    }
  };
  return (
    <PageBody testId="page-onboarding">
      {formOpen ? (
        <>
          {app.state === 'rejected' ? (
            <NoticeBar color="alert" wrap content={t(`上次审核未通过${app.reviewReason ? `：${app.reviewReason}` : ''}。请修改后重新提交。`, `Last review: not approved${app.reviewReason ? ` — ${app.reviewReason}` : ''}. Please correct and resubmit.`)} />
          ) : (
            <NoticeBar
              color="info"
              wrap
              content={t('请如实填写商户资料并上传证件照片，审核通过并缴纳入驻费后即可开通。', 'Fill in your business details and upload the photos; after approval and the entry fee your account is active.')}
            />
          )}
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '0 4px' }}>
            <span style={{ fontSize: 13, color: 'var(--adm-color-weak)' }}>
              {app.missing.length > 0 ? t(`还差 ${app.missing.length} 项`, `${app.missing.length} items left`) : t('资料已填写完整', 'Everything is filled in')}
            </span>
            <Tag color={state.color} fill="outline" data-testid="onboarding-state" data-state={app.state}>
              {state.text}
            </Tag>
          </div>
          <ApplicationForm key={`${app.revision}-${app.state}`} view={view} defaultPhone={me?.phone} onSaved={onSaved} />
        </>
      ) : (
        <StatusView view={view} onEdit={() => setEditing(true)} />
      )}
    </PageBody>
  );
}
