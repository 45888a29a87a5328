import { Alert, Col, Divider, Form, Input, InputNumber, Radio, Row, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { fenToYuan, formatMoney, percentToPpm, ppmToPercent, yuanToFen } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { useStaffSession } from '../../session';
import { intRules, percentRules, yuanRules } from './fields';
import { useSettingsSave } from './save';
import { SettingsCard } from './SettingsCard';

interface WithdrawalSettings {
  version: number;
  minAmountFen: string;
  feeFixedFen: string;
  feePpm: number;
  dailyCount: number;
  dailyAmountFen: string;
  reviewThresholdFen: string;
  payoutChannel: 'sandbox' | 'bank_batch';
  sandboxOutcome: 'succeed' | 'fail';
}

interface WithdrawalForm {
  minAmountYuan: string;
  feeFixedYuan: string;
  feePercent: string;
  dailyCount: number;
  dailyAmountYuan: string;
  reviewThresholdYuan: string;
  payoutChannel: 'sandbox' | 'bank_batch';
  sandboxOutcome: 'succeed' | 'fail';
}

const MAX_FEE_PPM = 200_000;
const yuan = (fen: string) => fenToYuan(fen, { grouping: false });
const fenOrNull = (v: string | undefined) => (v ? yuanToFen(v) : null);

/** The fee on an amount as the server computes it: fixed + amount × rate, the rate part floored to whole fen. */
function feeOf(amountFen: bigint, fixedFen: bigint, ppm: number): bigint {
  return fixedFen + (amountFen * BigInt(ppm)) / 1_000_000n;
}

/** Withdrawal rules (GET/PUT /api/admin/settings/withdrawals): fees, limits, the manual-review threshold and the payout channel. */
export function WithdrawalsTab() {
  const t = useT();
  const { can } = useStaffSession();
  const loaded = useApi<WithdrawalSettings>('/api/admin/settings/withdrawals');
  const [form] = Form.useForm<WithdrawalForm>();
  const [dirty, setDirty] = useState(false);
  const { save, saving } = useSettingsSave(loaded.reload);
  const { data } = loaded;
  const editable = can('owner', 'finance');
  const channel = Form.useWatch('payoutChannel', form);
  const watched = Form.useWatch([], form) as Partial<WithdrawalForm> | undefined;

  useEffect(() => {
    if (!data) return;
    form.setFieldsValue({
      minAmountYuan: yuan(data.minAmountFen),
      feeFixedYuan: yuan(data.feeFixedFen),
      feePercent: ppmToPercent(data.feePpm).replace(/%$/, ''),
      dailyCount: data.dailyCount,
      dailyAmountYuan: yuan(data.dailyAmountFen),
      reviewThresholdYuan: yuan(data.reviewThresholdFen),
      payoutChannel: data.payoutChannel,
      sandboxOutcome: data.sandboxOutcome,
    });
    setDirty(false);
  }, [data, form]);

  // A worked example under the fee fields, from what is typed now.
  const min = fenOrNull(watched?.minAmountYuan);
  const fixed = fenOrNull(watched?.feeFixedYuan);
  const ppm = watched?.feePercent ? percentToPpm(watched.feePercent) : null;
  const example = min !== null && fixed !== null && ppm !== null ? { amount: BigInt(min) < 10_000n ? 10_000n : BigInt(min), fixed: BigInt(fixed), ppm } : null;

  const onSave = async () => {
    const v = await form.validateFields();
    await save(
      () =>
        api.put('/api/admin/settings/withdrawals', {
          version: data!.version,
          minAmountFen: yuanToFen(v.minAmountYuan),
          feeFixedFen: yuanToFen(v.feeFixedYuan),
          feePpm: percentToPpm(v.feePercent),
          dailyCount: v.dailyCount,
          dailyAmountFen: yuanToFen(v.dailyAmountYuan),
          reviewThresholdFen: yuanToFen(v.reviewThresholdYuan),
          payoutChannel: v.payoutChannel,
          sandboxOutcome: v.sandboxOutcome,
        }),
      t('提现设置已保存', 'Withdrawal settings saved'),
    );
  };

  return (
    <SettingsCard
      title={t('提现', 'Withdrawals')}
      description={t('会员从可用余额提现的规则。修改只影响之后提交的提现申请。', 'The rules for members withdrawing from their available balance. Changes apply to requests made from now on.')}
      loaded={loaded}
      version={data ? t(`版本 ${data.version}`, `Version ${data.version}`) : null}
      canEdit={editable}
      editors={t('所有者和财务', 'owners and finance')}
      saving={saving}
      dirty={dirty}
      onSave={() => void onSave().catch(() => undefined)}
      testId="settings-withdrawals"
    >
      <Form<WithdrawalForm> form={form} layout="vertical" disabled={!editable} onValuesChange={() => setDirty(true)}>
        <Divider orientation="left" orientationMargin={0} plain style={{ marginTop: 0 }}>{t('手续费', 'Fee')}</Divider>
        <Row gutter={24}>
          <Col xs={24} md={8}>
            <Form.Item name="feeFixedYuan" label={t('固定手续费', 'Fixed fee')} extra={t('每笔提现收取', 'Per withdrawal')} rules={yuanRules(t)}>
              <Input prefix="¥" inputMode="decimal" style={{ width: 200 }} data-testid="settings-fee-fixed" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="feePercent" label={t('比例手续费', 'Fee rate')} extra={t('按提现金额计算，最高 20%', 'Of the amount, at most 20%')} rules={percentRules(t, MAX_FEE_PPM)}>
              <Input suffix="%" inputMode="decimal" style={{ width: 200 }} data-testid="settings-fee-rate" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item
              name="minAmountYuan"
              label={t('最低提现金额', 'Minimum')}
              extra={t('含手续费', 'Fee included')}
              dependencies={['feeFixedYuan', 'feePercent']}
              rules={[
                ...yuanRules(t, { positive: true }),
                ({ getFieldValue }) => ({
                  // The server refuses rules where the fee would eat the smallest withdrawal whole.
                  validator: async (_, value: string | undefined) => {
                    const m = fenOrNull(value);
                    const f = fenOrNull(getFieldValue('feeFixedYuan') as string | undefined);
                    const r = percentToPpm(String(getFieldValue('feePercent') ?? ''));
                    if (m === null || f === null || r === null) return;
                    if (feeOf(BigInt(m), BigInt(f), r) >= BigInt(m)) throw new Error(t('手续费不能大于等于最低提现金额', 'The fee would swallow the minimum withdrawal'));
                  },
                }),
              ]}
            >
              <Input prefix="¥" inputMode="decimal" style={{ width: 200 }} data-testid="settings-min-amount" />
            </Form.Item>
          </Col>
        </Row>
        {example ? (
          <Alert
            type="info"
            style={{ marginBottom: 16 }}
            message={
              <Typography.Text>
                {(() => {
                  const fee = feeOf(example.amount, example.fixed, example.ppm);
                  return t(
                    `示例：提现 ${formatMoney(example.amount)}，手续费 ${formatMoney(fee)}，实际到账 ${formatMoney(example.amount - fee)}`,
                    `Example: withdrawing ${formatMoney(example.amount)} costs ${formatMoney(fee)}; ${formatMoney(example.amount - fee)} reaches the bank`,
                  );
                })()}
              </Typography.Text>
            }
          />
        ) : null}
        <Divider orientation="left" orientationMargin={0} plain>{t('限额与复核', 'Limits and review')}</Divider>
        <Row gutter={24}>
          <Col xs={24} md={8}>
            <Form.Item name="dailyCount" label={t('每日提现次数', 'Per day (count)')} extra={t('每位会员每天', 'Per member per day')} rules={intRules(t, 1, 100)}>
              <InputNumber min={1} max={100} precision={0} suffix={t('次', 'times')} style={{ width: 200 }} data-testid="settings-daily-count" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item
              name="dailyAmountYuan"
              label={t('每日提现总额', 'Per day (amount)')}
              extra={t('每位会员每天', 'Per member per day')}
              dependencies={['minAmountYuan']}
              rules={[
                ...yuanRules(t, { positive: true }),
                ({ getFieldValue }) => ({
                  validator: async (_, value: string | undefined) => {
                    const d = fenOrNull(value);
                    const m = fenOrNull(getFieldValue('minAmountYuan') as string | undefined);
                    if (d !== null && m !== null && BigInt(d) < BigInt(m)) throw new Error(t('不能低于最低提现金额', 'Must not be below the minimum withdrawal'));
                  },
                }),
              ]}
            >
              <Input prefix="¥" inputMode="decimal" style={{ width: 200 }} data-testid="settings-daily-amount" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item
              name="reviewThresholdYuan"
              label={t('大额人工复核', 'Manual review from')}
              extra={t('达到此金额的提现需财务复核，低于则自动通过', 'Amounts at or above wait for finance; below are approved automatically')}
              rules={yuanRules(t)}
            >
              <Input prefix="¥" inputMode="decimal" style={{ width: 200 }} data-testid="settings-review-threshold" />
            </Form.Item>
          </Col>
        </Row>
        <Divider orientation="left" orientationMargin={0} plain>{t('打款通道', 'Payout channel')}</Divider>
        <Form.Item name="payoutChannel" rules={[{ required: true, message: t('请选择打款通道', 'Choose a payout channel') }]}>
          <Radio.Group data-testid="settings-payout-channel">
            <Space direction="vertical">
              <Radio value="bank_batch">
                {t('银行批量转账', 'Bank transfer batches')}
                <Typography.Text type="secondary" style={{ marginLeft: 8 }}>{t('财务导出转账文件交银行处理，再导入结果', 'Finance exports a transfer file for the bank and imports the results')}</Typography.Text>
              </Radio>
              <Radio value="sandbox">
                {t('模拟通道', 'Sandbox')}
                <Typography.Text type="secondary" style={{ marginLeft: 8 }}>{t('仅用于开发和演示，不会真实打款', 'For development and demos only; no real money moves')}</Typography.Text>
              </Radio>
            </Space>
          </Radio.Group>
        </Form.Item>
        {channel === 'sandbox' ? (
          <Form.Item name="sandboxOutcome" label={t('模拟打款结果', 'Sandbox outcome')} rules={[{ required: true, message: t('请选择', 'Choose one') }]}>
            <Radio.Group optionType="button" buttonStyle="solid" data-testid="settings-sandbox-outcome">
              <Radio value="succeed">{t('成功', 'Succeed')}</Radio>
              <Radio value="fail">{t('失败', 'Fail')}</Radio>
            </Radio.Group>
          </Form.Item>
        ) : (
          <Form.Item name="sandboxOutcome" hidden>
            <Input />
          </Form.Item>
        )}
      </Form>
    </SettingsCard>
  );
}
