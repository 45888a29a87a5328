import { App, Button, Card, Form, InputNumber, Skeleton, Switch, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, ApiError, errorText } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import type { Loaded } from '../../../shared/use-api';
import { ErrorAlert } from '../../components';
import type { LevelSettings } from './ladder';

type SettingsForm = Omit<LevelSettings, 'version'>;

/** Purchase pricing and downgrades (GET/PUT /api/admin/settings/levels); owners change them, others read. */
export function LevelSettingsCard({ settings, canEdit }: { settings: Loaded<LevelSettings>; canEdit: boolean }) {
  const t = useT();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<SettingsForm>();
  const [saving, setSaving] = useState(false);
  const [dirty, setDirty] = useState(false);
  const { data } = settings;

  useEffect(() => {
    if (!data) return;
    form.setFieldsValue({ upgradeByDifference: data.upgradeByDifference, downgradeEnabled: data.downgradeEnabled, protectionDays: data.protectionDays });
    setDirty(false);
  }, [data, form]);

  const save = async () => {
    if (!data) return;
    const values = await form.validateFields();
    setSaving(true);
    try {
      await api.put('/api/admin/settings/levels', { ...values, version: data.version });
      message.success(t('等级设置已保存', 'Level settings saved'));
      settings.reload();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        modal.warning({
          title: t('设置已被他人修改', 'Someone else changed these settings'),
          content: t('已重新加载最新设置，请确认后再修改。', 'The latest settings were loaded; check them and change again.'),
          okText: t('知道了', 'OK'),
        });
        settings.reload();
      } else message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card
      title={t('等级设置', 'Level settings')}
      extra={data ? <Tag>{t(`版本 ${data.version}`, `Version ${data.version}`)}</Tag> : null}
      data-testid="level-settings"
    >
      <ErrorAlert error={settings.error} onRetry={settings.reload} />
      {!data && settings.loading ? (
        <Skeleton active />
      ) : (
        <Form<SettingsForm> form={form} layout="vertical" disabled={!canEdit} onValuesChange={() => setDirty(true)}>
          <Form.Item
            name="upgradeByDifference"
            label={t('补差价升级', 'Upgrade by paying the difference')}
            valuePropName="checked"
            extra={t('开启后，会员购买更高等级只需支付与当前等级的差价', 'A member buying a higher level pays only the difference from its current level')}
          >
            <Switch data-testid="settings-upgrade-by-difference" />
          </Form.Item>
          <Form.Item
            name="downgradeEnabled"
            label={t('启用降级', 'Downgrades')}
            valuePropName="checked"
            extra={t('每月底按保级条件评估，未满足的会员降级', 'Keep conditions are evaluated at each month end; members failing them go down')}
          >
            <Switch data-testid="settings-downgrade" />
          </Form.Item>
          <Form.Item
            name="protectionDays"
            label={t('购买保护期', 'Purchase protection')}
            extra={t('在此天数内，降级不会低于会员购买的等级', 'Within this many days a downgrade never goes below the level bought')}
            rules={[{ required: true, message: t('请输入天数', 'Enter a number of days') }]}
          >
            <InputNumber min={0} max={3650} precision={0} suffix={t('天', 'days')} style={{ width: 180 }} />
          </Form.Item>
          {canEdit ? (
            <Button type="primary" onClick={() => void save().catch(() => undefined)} loading={saving} disabled={!dirty} data-testid="level-settings-save">
              {t('保存设置', 'Save settings')}
            </Button>
          ) : (
            <Typography.Text type="secondary">{t('仅所有者可修改等级设置', 'Only owners can change these settings')}</Typography.Text>
          )}
        </Form>
      )}
    </Card>
  );
}
