import { Button, Form, Popup, Toast } from 'antd-mobile';
import { useEffect } from 'react';
import { api } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { useErrorText } from './errors';
import { FieldInput } from './fields';
import { NewPasswordFields } from './NewPasswordFields';
import { SmsCodeButton } from './SmsCodeButton';
import { phoneRule, smsCodeRule } from './validators';

interface Values {
  phone: string;
  smsCode: string;
  newPassword: string;
  confirm: string;
}

/** 忘记密码: a code by SMS, then a new password; every session of the account ends. */
export function ForgotPasswordPopup({ visible, phone, onClose, onDone }: { visible: boolean; phone?: string; onClose: () => void; onDone: (phone: string) => void }) {
  const t = useT();
  const errText = useErrorText();
  const [form] = Form.useForm<Values>();
  useEffect(() => {
    if (visible) form.setFieldsValue({ phone: phone ?? '' });
  }, [visible, phone, form]);

  const getPhone = async () => {
    try {
      const v = await form.validateFields(['phone']);
      return (v.phone as string).trim();
    } catch {
      return null;
    }
  };

  const submit = async (v: Values) => {
    try {
      await api.post('/api/member/password-reset', { phone: v.phone.trim(), smsCode: v.smsCode.trim(), newPassword: v.newPassword });
      Toast.show({ icon: 'success', content: t('密码已重置，请用新密码登录', 'Password reset; please log in with the new one') });
      form.resetFields();
      onDone(v.phone.trim());
    } catch (err) {
      Toast.show({ content: errText(err) });
    }
  };

  return (
    <Popup visible={visible} onMaskClick={onClose} onClose={onClose} bodyStyle={{ borderTopLeftRadius: 12, borderTopRightRadius: 12, maxHeight: '90vh', overflowY: 'auto' }} destroyOnClose>
      <div data-testid="forgot-password" style={{ padding: '16px 4px 8px' }}>
        <div style={{ fontSize: 17, fontWeight: 600, textAlign: 'center' }}>{t('找回密码', 'Reset password')}</div>
        <div style={{ fontSize: 13, color: 'var(--adm-color-weak)', textAlign: 'center', marginTop: 4 }}>
          {t('验证手机号后设置新密码，其他设备将退出登录', 'Verify your phone, then set a new password; other devices are signed out')}
        </div>
        <Form
          form={form}
          layout="horizontal"
          onFinish={submit}
          footer={
            <Button block type="submit" color="primary" size="large" data-testid="reset-submit">
              {t('重置密码', 'Reset password')}
            </Button>
          }
        >
          <Form.Item name="phone" label={t('手机号', 'Phone')} rules={[{ required: true, message: t('请输入手机号', 'Enter your phone number') }, phoneRule(t)]}>
            <FieldInput testId="reset-phone" type="tel" maxLength={11} placeholder={t('注册时的手机号', 'Your registered phone')} clearable />
          </Form.Item>
          <Form.Item
            name="smsCode"
            label={t('验证码', 'Code')}
            rules={[{ required: true, message: t('请输入验证码', 'Enter the code') }, smsCodeRule(t)]}
            extra={<SmsCodeButton purpose="reset_password" getPhone={getPhone} testId="reset-sms" />}
          >
            <FieldInput testId="reset-code" inputMode="numeric" maxLength={6} placeholder={t('6 位数字', '6 digits')} autoComplete="one-time-code" />
          </Form.Item>
          <NewPasswordFields name="newPassword" confirmName="confirm" testId="reset-password" confirmTestId="reset-password2" isNew />
        </Form>
      </div>
    </Popup>
  );
}
