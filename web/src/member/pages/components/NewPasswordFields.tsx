import { Form } from 'antd-mobile';
import { useT } from '../../../shared/i18n';
import { PasswordInput } from './fields';
import { passwordRule } from './validators';

/**
 * A new password and its confirmation, as registration, the SMS reset and the
 * password change all ask for it: the member's rules on the first, "the two
 * must match" on the second.
 */
export function NewPasswordFields({ name, confirmName, testId, confirmTestId, isNew }: { name: string; confirmName: string; testId: string; confirmTestId: string; isNew?: boolean }) {
  const t = useT();
  return (
    <>
      <Form.Item
        name={name}
        label={isNew ? t('新密码', 'New password') : t('密码', 'Password')}
        rules={[{ required: true, message: isNew ? t('请输入新密码', 'Enter a new password') : t('请设置密码', 'Choose a password') }, passwordRule(t)]}
      >
        <PasswordInput testId={testId} placeholder={t('至少8位字母和数字', '8+ letters and digits')} autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name={confirmName}
        label={t('确认密码', 'Confirm')}
        dependencies={[name]}
        rules={[
          { required: true, message: isNew ? t('请再次输入新密码', 'Repeat the new password') : t('请再次输入密码', 'Repeat the password') },
          ({ getFieldValue }) => ({
            validator: async (_, value) => {
              if (value && value !== getFieldValue(name)) throw new Error(t('两次输入的密码不一致', 'The passwords do not match'));
            },
          }),
        ]}
      >
        <PasswordInput testId={confirmTestId} placeholder={isNew ? t('再次输入新密码', 'Repeat the new password') : t('再次输入密码', 'Repeat the password')} autoComplete="new-password" />
      </Form.Item>
    </>
  );
}
