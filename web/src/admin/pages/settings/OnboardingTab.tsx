import { Col, Divider, Form, Input, InputNumber, Row } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { fenToYuan, yuanToFen } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { useStaffSession } from '../../session';
import { intRules, yuanRules } from './fields';
import { useSettingsSave } from './save';
import { SettingsCard } from './SettingsCard';

interface OnboardingSettings {
  entryFeeFen: string;
  orderTtlMinutes: number;
  burstWindowMinutes: number;
  burstMaxPerIp: number;
  burstMaxPerDevice: number;
  entryFeeVersion: number;
  riskVersion: number;
}

interface OnboardingForm {
  entryFeeYuan: string;
  orderTtlMinutes: number;
  burstWindowMinutes: number;
  burstMaxPerIp: number;
  burstMaxPerDevice: number;
}

/** The entry fee and the registration-burst thresholds that flag applications for risk review (owners change them). */
export function OnboardingTab() {
  const t = useT();
  const { can } = useStaffSession();
  const loaded = useApi<OnboardingSettings>('/api/admin/settings/onboarding');
  const [form] = Form.useForm<OnboardingForm>();
  const [dirty, setDirty] = useState(false);
  const { save, saving } = useSettingsSave(loaded.reload);
  const { data } = loaded;
  const editable = can('owner');

  useEffect(() => {
    if (!data) return;
    form.setFieldsValue({
      entryFeeYuan: fenToYuan(data.entryFeeFen, { grouping: false }),
      orderTtlMinutes: data.orderTtlMinutes,
      burstWindowMinutes: data.burstWindowMinutes,
      burstMaxPerIp: data.burstMaxPerIp,
      burstMaxPerDevice: data.burstMaxPerDevice,
    });
    setDirty(false);
  }, [data, form]);

  const onSave = async () => {
    const v = await form.validateFields();
    const { entryFeeYuan, ...rest } = v;
    await save(
      () => api.put('/api/admin/settings/onboarding', { ...rest, entryFeeFen: yuanToFen(entryFeeYuan), entryFeeVersion: data!.entryFeeVersion, riskVersion: data!.riskVersion }),
      t('入驻设置已保存', 'Onboarding settings saved'),
    );
  };

  return (
    <SettingsCard
      title={t('入驻', 'Onboarding')}
      description={t('审核通过后会员需缴纳的入驻费，以及把集中注册标记为风险的阈值。', 'The entry fee members pay once approved, and when clustered registrations are flagged for risk review.')}
      loaded={loaded}
      // Two stored settings behind one form, each with its version.
      version={data ? t(`入驻费 v${data.entryFeeVersion} · 风控 v${data.riskVersion}`, `Fee v${data.entryFeeVersion} · risk v${data.riskVersion}`) : null}
      canEdit={editable}
      editors={t('所有者', 'owners')}
      saving={saving}
      dirty={dirty}
      onSave={() => void onSave().catch(() => undefined)}
      testId="settings-onboarding"
    >
      <Form<OnboardingForm> form={form} layout="vertical" disabled={!editable} onValuesChange={() => setDirty(true)}>
        <Divider orientation="left" orientationMargin={0} plain style={{ marginTop: 0 }}>{t('入驻费', 'Entry fee')}</Divider>
        <Row gutter={24}>
          <Col xs={24} md={12}>
            <Form.Item
              name="entryFeeYuan"
              label={t('入驻费金额', 'Entry fee')}
              extra={t('修改只影响之后创建的支付订单', 'Applies to payment orders created from now on')}
              rules={yuanRules(t, { positive: true, max: 999_999_999_999n })}
            >
              <Input prefix="¥" suffix={t('元', 'yuan')} inputMode="decimal" style={{ width: 240 }} data-testid="settings-entry-fee" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="orderTtlMinutes" label={t('支付订单有效期', 'Payment order lifetime')} extra={t('超时未支付的订单自动失效', 'Unpaid orders expire after this')} rules={intRules(t, 5, 1440)}>
              <InputNumber min={5} max={1440} precision={0} suffix={t('分钟', 'min')} style={{ width: 200 }} data-testid="settings-order-ttl" />
            </Form.Item>
          </Col>
        </Row>
        <Divider orientation="left" orientationMargin={0} plain>{t('集中注册风险', 'Registration bursts')}</Divider>
        <Row gutter={24}>
          <Col xs={24} md={8}>
            <Form.Item
              name="burstWindowMinutes"
              label={t('检测时间窗口', 'Time window')}
              extra={t('在注册时间前后此范围内统计', 'Registrations within ± this window count')}
              rules={intRules(t, 1, 10080)}
            >
              <InputNumber min={1} max={10080} precision={0} prefix="±" suffix={t('分钟', 'min')} style={{ width: 200 }} data-testid="settings-burst-window" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="burstMaxPerIp" label={t('同一 IP 注册上限', 'Per IP')} extra={t('超过即标记风险', 'More is flagged')} rules={intRules(t, 1, 10000)}>
              <InputNumber min={1} max={10000} precision={0} suffix={t('个', 'accounts')} style={{ width: 180 }} data-testid="settings-burst-ip" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="burstMaxPerDevice" label={t('同一设备注册上限', 'Per device')} extra={t('超过即标记风险', 'More is flagged')} rules={intRules(t, 1, 10000)}>
              <InputNumber min={1} max={10000} precision={0} suffix={t('个', 'accounts')} style={{ width: 180 }} data-testid="settings-burst-device" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </SettingsCard>
  );
}
