import { Form, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { useStaffSession } from '../../session';
import { useSettingsSave } from './save';
import { SettingsCard } from './SettingsCard';

interface RegistrationSettings {
  requireInviter: boolean;
  version: number;
}

/** Whether a new member must come with an inviter (GET/PUT /api/admin/settings/registration; owners change it). */
export function RegistrationTab() {
  const t = useT();
  const { can } = useStaffSession();
  const loaded = useApi<RegistrationSettings>('/api/admin/settings/registration');
  const [form] = Form.useForm<{ requireInviter: boolean }>();
  const [dirty, setDirty] = useState(false);
  const { save, saving } = useSettingsSave(loaded.reload);
  const { data } = loaded;

  useEffect(() => {
    if (data) form.setFieldsValue({ requireInviter: data.requireInviter });
    setDirty(false);
  }, [data, form]);

  const onSave = async () => {
    const v = await form.validateFields();
    await save(() => api.put('/api/admin/settings/registration', { requireInviter: v.requireInviter, version: data!.version }), t('注册设置已保存', 'Registration settings saved'));
  };

  return (
    <SettingsCard
      title={t('注册', 'Registration')}
      description={t('新会员注册时的要求。邀请关系一旦绑定不可更改，只能由员工调整。', 'What a new member must provide to register. A binding, once made, is changed only by staff.')}
      loaded={loaded}
      version={data ? t(`版本 ${data.version}`, `Version ${data.version}`) : null}
      canEdit={can('owner')}
      editors={t('所有者', 'owners')}
      saving={saving}
      dirty={dirty}
      onSave={() => void onSave().catch(() => undefined)}
      testId="settings-registration"
    >
      <Form form={form} layout="vertical" disabled={!can('owner')} onValuesChange={() => setDirty(true)}>
        <Form.Item
          name="requireInviter"
          label={t('注册必须有邀请人', 'Registration requires an inviter')}
          valuePropName="checked"
          extra={t(
            '开启后，会员只能通过邀请码、邀请链接或海报二维码注册；关闭时允许无邀请人注册（成为顶级会员），之后可由员工指定推荐人。',
            'When on, members can register only with an invite code, link or poster QR code; when off, members may register without one (as roots) and staff may assign an inviter later.',
          )}
        >
          <Switch checkedChildren={t('必须', 'Required')} unCheckedChildren={t('可选', 'Optional')} data-testid="settings-require-inviter" />
        </Form.Item>
      </Form>
    </SettingsCard>
  );
}
