import { Button, Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { api } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { useErrorText } from './errors';

const COUNTDOWN_SECONDS = 60;

/**
 * "获取验证码" with the 60-second wait the server enforces per phone.
 * `getPhone` validates the phone field first and returns null when it is wrong.
 */
export function SmsCodeButton({ purpose, getPhone, testId }: { purpose: 'register' | 'reset_password'; getPhone: () => Promise<string | null>; testId?: string }) {
  const t = useT();
  const errText = useErrorText();
  const [left, setLeft] = useState(0);
  const [sending, setSending] = useState(false);
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setLeft((n) => n - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);

  const send = async () => {
    const phone = await getPhone();
    if (!phone) return;
    setSending(true);
    try {
      await api.post('/api/auth/sms-codes', { phone, purpose });
      Toast.show({ icon: 'success', content: t('验证码已发送', 'Code sent') });
      setLeft(COUNTDOWN_SECONDS);
    } catch (err) {
      Toast.show({ content: errText(err, { RATE_LIMITED: t('发送太频繁，请稍后再试', 'Please wait before requesting another code') }) });
    } finally {
      setSending(false);
    }
  };

  return (
    <Button size="small" color="primary" fill="none" disabled={left > 0} loading={sending} onClick={() => void send()} data-testid={testId} style={{ whiteSpace: 'nowrap', padding: '4px 0' }}>
      {left > 0 ? t(`${left} 秒后重发`, `Resend in ${left}s`) : t('获取验证码', 'Get code')}
    </Button>
  );
}
