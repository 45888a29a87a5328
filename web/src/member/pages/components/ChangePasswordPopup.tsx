import { api } from '../../../shared/api';
import { Button, Form, Popup, Toast } from 'antd-mobile';
import { useT } from '../../../shared/i18n';
import { useErrorText } from './errors';
import { PasswordInput } from './fields';
import { NewPasswordFields } from './NewPasswordFields';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/** 修改密码: the current one, then the new one twice; the server signs out every other device. */
export function ChangePasswordPopup({ visible, onClose }: { visible: boolean; onClose: () => void }) {
  const t = useT();
  const errText = useErrorText();
  const [form] = Form.useForm<Values>();
  const submit = async (v: Values) => {
    try {
      const r = await api.put<{ otherSessionsEnded: number }>('/api/member/password', { currentPassword: v.currentPassword, newPassword: v.newPassword });
      Toast.show({
        icon: 'success',
        content: r.otherSessionsEnded > 0 ? t(`密码已修改，其他 ${r.otherSessionsEnded} 台设备已退出登录`, `Password changed; ${r.otherSessionsEnded} other sessions ended`) : t('密码已修改', 'Password changed'),
      });
      form.resetFields();
      onClose();
    } catch (err) {
      Toast.show({
        content: errText(err, {
          INVALID_CREDENTIALS: t('当前密码不正确', 'The current password is wrong'),
          WEAK_PASSWORD: /differ/.test(err instanceof Error ? err.message : '') ? t('新密码不能与当前密码相同', 'The new password must differ from the current one') : t('密码至少 8 位，且需同时包含字母和数字', 'At least 8 characters with letters and digits'),
        }),
      });
    }
  };
  return (
    <Popup visible={visible} onMaskClick={onClose} onClose={onClose} bodyStyle={{ borderTopLeftRadius: 12, borderTopRightRadius: 12, maxHeight: '90vh', overflowY: 'auto' }} destroyOnClose>
      <div data-testid="change-password" style={{ padding: '16px 4px 8px' }}>
        <div style={{ fontSize: 17, fontWeight: 600, textAlign: 'center' }}>{t('修改密码', 'Change password')}</div>
        <Form
          form={form}
          layout="horizontal"
          onFinish={submit}
          footer={
            <Button block type="submit" color="primary" size="large" data-testid="change-password-submit">
              {t('确认修改', 'Change')}
            </Button>
          }
        >
          <Form.Item name="currentPassword" label={t('当前密码', 'Current')} rules={[{ required: true, message: t('请输入当前密码', 'Enter your current password') }]}>
            <PasswordInput testId="cp-current" placeholder={t('当前密码', 'Current password')} autoComplete="current-password" />
          </Form.Item>
          <NewPasswordFields name="newPassword" confirmName="confirm" testId="cp-new" confirmTestId="cp-confirm" isNew />
        </Form>
      </div>
    </Popup>
  );
}
