import { Button, Form, NoticeBar, Toast } from 'antd-mobile';
import { useEffect, useMemo, useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError, api } from '../../shared/api';
import { useT } from '../../shared/i18n';
import { useApi } from '../../shared/use-api';
import { useMemberSession } from '../session';
import { useErrorText } from './components/errors';
import { FieldInput } from './components/fields';
import { NewPasswordFields } from './components/NewPasswordFields';
import { SmsCodeButton } from './components/SmsCodeButton';
import { lengthRule, phoneRule, smsCodeRule } from './components/validators';

interface Values {
  inviteCode: string;
  phone: string;
  smsCode: string;
  password: string;
  password2: string;
  displayName: string;
}

const INVITE_PATTERN = /^[A-Za-z0-9]{4,16}$/;
const DEVICE_KEY = 'shanglian.device';

/** A random id kept on this phone, sent with the registration for the anti-abuse checks. */
function deviceId(): string | undefined {
  try {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  } catch {
    return undefined;
  }
}

export default function RegisterPage() {
  const t = useT();
  const errText = useErrorText();
  const navigate = useNavigate();
  const { me, refresh } = useMemberSession();
  const [params] = useSearchParams();
  // The invite link is /m/register?invite=CODE (GET /api/member/invite); ?code= is accepted too.
  const linkCode = useMemo(() => {
    const c = (params.get('invite') ?? params.get('code') ?? '').trim();
    return INVITE_PATTERN.test(c) ? c : '';
  }, [params]);
  const options = useApi<{ requireInviter: boolean }>('/api/member/registration-options');
  const requireInviter = options.data?.requireInviter ?? false;
  const [form] = Form.useForm<Values>();
  const [submitting, setSubmitting] = useState(false);
  useEffect(() => {
    if (linkCode) form.setFieldsValue({ inviteCode: linkCode });
  }, [linkCode, form]);

  if (me && !submitting) return <Navigate to="/" replace />;

  const getPhone = async () => {
    try {
      const v = await form.validateFields(['phone']);
      return (v.phone as string).trim();
    } catch {
      return null;
    }
  };

  const submit = async (v: Values) => {
    const inviteCode = v.inviteCode?.trim() || undefined;
    setSubmitting(true);
    try {
      await api.post('/api/member/register', {
        phone: v.phone.trim(),
        smsCode: v.smsCode.trim(),
        password: v.password,
        displayName: v.displayName.trim(),
        inviteCode,
        inviteVia: inviteCode ? (linkCode && inviteCode === linkCode ? 'link' : 'code') : undefined,
        deviceId: deviceId(),
        client: 'web',
      });
      await refresh();
      Toast.show({ icon: 'success', content: t('注册成功，请完善入驻资料', 'Registered — now fill in your onboarding form') });
      void navigate('/onboarding', { replace: true });
    } catch (err) {
      setSubmitting(false);
      // The server names the field it refused: show the message under that field too.
      const field = err instanceof ApiError ? (err.details as { field?: unknown } | undefined)?.field : undefined;
      const message = field === 'inviteCode' ? t('邀请码无效，请核对后重试', 'The invite code is not valid') : errText(err);
      if (field === 'inviteCode' || field === 'smsCode') form.setFields([{ name: field, errors: [message] }]);
      Toast.show({ content: message });
    }
  };

  return (
    <div data-testid="page-register" style={{ paddingBottom: 24 }}>
      {linkCode ? (
        <NoticeBar color="info" content={t(`您正在通过邀请码 ${linkCode} 注册`, `Registering with invite code ${linkCode}`)} wrap />
      ) : null}
      <div style={{ margin: 12, background: '#fff', borderRadius: 12, overflow: 'hidden' }}>
        <Form
          form={form}
          layout="horizontal"
          onFinish={submit}
          footer={
            <Button block type="submit" color="primary" size="large" loading={submitting} data-testid="reg-submit">
              {t('注册', 'Register')}
            </Button>
          }
        >
          <Form.Item
            name="inviteCode"
            label={t('邀请码', 'Invite code')}
            rules={[
              ...(requireInviter ? [{ required: true, message: t('请输入邀请人的邀请码', 'Enter your inviter’s code') }] : []),
              {
                validator: async (_: unknown, value: unknown) => {
                  const v = typeof value === 'string' ? value.trim() : '';
                  if (v && !INVITE_PATTERN.test(v)) throw new Error(t('邀请码为 4–16 位字母或数字', 'The code has 4–16 letters or digits'));
                },
              },
            ]}
            description={requireInviter ? t('本平台需凭邀请码注册', 'Registration needs an invite code') : undefined}
          >
            <FieldInput testId="reg-invite" placeholder={requireInviter ? t('必填', 'Required') : t('选填', 'Optional')} maxLength={16} clearable autoComplete="off" />
          </Form.Item>
          <Form.Item name="phone" label={t('手机号', 'Phone')} rules={[{ required: true, message: t('请输入手机号', 'Enter your phone number') }, phoneRule(t)]}>
            <FieldInput testId="reg-phone" type="tel" maxLength={11} placeholder={t('请输入 11 位手机号', '11-digit mobile number')} clearable autoComplete="tel" />
          </Form.Item>
          <Form.Item
            name="smsCode"
            label={t('验证码', 'Code')}
            rules={[{ required: true, message: t('请输入短信验证码', 'Enter the SMS code') }, smsCodeRule(t)]}
            extra={<SmsCodeButton purpose="register" getPhone={getPhone} testId="reg-sms" />}
          >
            <FieldInput testId="reg-code" inputMode="numeric" maxLength={6} placeholder={t('6 位数字', '6 digits')} autoComplete="one-time-code" />
          </Form.Item>
          <NewPasswordFields name="password" confirmName="password2" testId="reg-password" confirmTestId="reg-password2" />
          <Form.Item name="displayName" label={t('称呼', 'Name')} rules={[{ required: true, message: t('请输入您的姓名或店名', 'Enter your name or shop name') }, lengthRule(t, 1, 40)]}>
            <FieldInput testId="reg-name" placeholder={t('姓名或店名', 'Name or shop name')} maxLength={40} clearable autoComplete="name" />
          </Form.Item>
        </Form>
      </div>
      <div style={{ textAlign: 'center', fontSize: 14, color: 'var(--adm-color-weak)' }}>
        {t('已有账号？', 'Have an account? ')}
        <Link to="/login" style={{ color: 'var(--adm-color-primary)' }}>
          {t('去登录', 'Log in')}
        </Link>
      </div>
    </div>
  );
}
