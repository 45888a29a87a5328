import { Button, Form, Toast } from 'antd-mobile';
import { useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../../shared/api';
import { useI18n } from '../../shared/i18n';
import { useMemberSession } from '../session';
import { useErrorText } from './components/errors';
import { FieldInput, PasswordInput } from './components/fields';
import { ForgotPasswordPopup } from './components/ForgotPasswordPopup';
import { phoneRule } from './components/validators';

/** Only paths inside the H5 — never another site — are followed after login. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

function BrandHeader({ subtitle }: { subtitle: string }) {
  const { lang, setLang, t } = useI18n();
  return (
    <div style={{ position: 'relative', padding: '56px 24px 32px', textAlign: 'center', background: 'linear-gradient(180deg, #e6f4ff 0%, #f5f5f5 100%)' }}>
      <Button
        size="mini"
        fill="none"
        onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
        style={{ position: 'absolute', top: 12, right: 12, color: 'var(--adm-color-weak)' }}
        data-testid="lang-switch"
      >
        {lang === 'en' ? '中文' : 'English'}
      </Button>
      <div style={{ width: 64, height: 64, margin: '0 auto', borderRadius: 16, background: '#1677ff', color: '#fff', fontSize: 34, lineHeight: '64px', fontWeight: 700 }}>商</div>
      <div style={{ fontSize: 24, fontWeight: 700, marginTop: 12 }}>{t('商联', 'Shanglian')}</div>
      <div style={{ fontSize: 14, color: 'var(--adm-color-weak)', marginTop: 6 }}>{subtitle}</div>
    </div>
  );
}

interface Values {
  phone: string;
  password: string;
}

export default function LoginPage() {
  const { t } = useI18n();
  const errText = useErrorText();
  const { me, refresh } = useMemberSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [form] = Form.useForm<Values>();
  const [submitting, setSubmitting] = useState(false);
  // The phone typed so far goes to the reset popup, read when it opens (the form is connected by then).
  const [forgotPhone, setForgotPhone] = useState<string | null>(null);

  if (me) return <Navigate to={next} replace />;

  const submit = async (v: Values) => {
    setSubmitting(true);
    try {
      await api.post('/api/member/login', { phone: v.phone.trim(), password: v.password, client: 'web' });
      await refresh();
      Toast.show({ icon: 'success', content: t('登录成功', 'Logged in') });
      void navigate(next, { replace: true });
    } catch (err) {
      Toast.show({ content: errText(err) });
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div data-testid="page-login" style={{ minHeight: '100vh', background: '#f5f5f5' }}>
      <BrandHeader subtitle={t('商户合作伙伴网络', 'Merchant partner network')} />
      <div style={{ margin: '0 12px', background: '#fff', borderRadius: 12, overflow: 'hidden' }}>
        <Form
          form={form}
          layout="horizontal"
          onFinish={submit}
          mode="card"
          footer={
            <Button block type="submit" color="primary" size="large" loading={submitting} data-testid="login-submit">
              {t('登录', 'Log in')}
            </Button>
          }
        >
          <Form.Item name="phone" label={t('手机号', 'Phone')} rules={[{ required: true, message: t('请输入手机号', 'Enter your phone number') }, phoneRule(t)]}>
            <FieldInput testId="login-phone" type="tel" maxLength={11} placeholder={t('请输入 11 位手机号', '11-digit mobile number')} clearable autoComplete="username" />
          </Form.Item>
          <Form.Item name="password" label={t('密码', 'Password')} rules={[{ required: true, message: t('请输入密码', 'Enter your password') }]}>
            <PasswordInput testId="login-password" placeholder={t('请输入密码', 'Password')} autoComplete="current-password" />
          </Form.Item>
        </Form>
      </div>
      <div style={{ display: 'flex', justifyContent: 'space-between', padding: '16px 24px', fontSize: 14 }}>
        <Link to="/register" data-testid="to-register" style={{ color: 'var(--adm-color-primary)', textDecoration: 'none' }}>
          {t('注册新账号', 'Create an account')}
        </Link>
        <a role="button" onClick={() => setForgotPhone((form.getFieldValue('phone') as string | undefined) ?? '')} data-testid="forgot-link" style={{ color: 'var(--adm-color-weak)' }}>
          {t('忘记密码？', 'Forgot password?')}
        </a>
      </div>
      <ForgotPasswordPopup
        visible={forgotPhone !== null}
        phone={forgotPhone ?? ''}
        onClose={() => setForgotPhone(null)}
        onDone={(phone) => {
          setForgotPhone(null);
          form.setFieldsValue({ phone, password: '' });
        }}
      />
    </div>
  );
}
