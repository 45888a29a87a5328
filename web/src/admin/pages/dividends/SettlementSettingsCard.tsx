import { EditOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Descriptions, Form, InputNumber, Radio, Row, Skeleton, Space, Switch, Tag, TimePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, ApiError, errorText } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert } from '../../components';
import { useStaffSession } from '../../session';
import { payIntoLabel, type SettlementSettings } from './model';

interface FormValues {
  statisticsDay: number;
  statisticsTime: Dayjs;
  payByDay: number;
  approvalRequired: boolean;
  payInto: 'available' | 'frozen';
  freezeDays: number;
}

/** When the month's statistics run and how dividends are paid; owner and finance may change it. */
export function SettlementSettingsCard() {
  const t = useT();
  const { message } = App.useApp();
  const { can } = useStaffSession();
  const { data, error, loading, reload } = useApi<SettlementSettings>('/api/admin/settings/settlement');
  const [editing, setEditing] = useState(false);
  const [saving, setSaving] = useState(false);

  const save = async (v: FormValues) => {
    if (!data) return;
    setSaving(true);
    try {
      await api.put('/api/admin/settings/settlement', { ...v, statisticsTime: v.statisticsTime.format('HH:mm'), version: data.version });
      message.success(t('结算设置已保存', 'Settlement settings saved'));
      setEditing(false);
      reload();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        message.warning(t('设置已被他人修改，已重新加载最新设置，请重新编辑', 'Someone else changed the settings; reloaded, please edit again'));
        setEditing(false);
        reload();
      } else {
        message.error(errorText(e));
      }
    } finally {
      setSaving(false);
    }
  };

  const extra = can('owner', 'finance') && data && !editing ? (
    <Button type="link" icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="settlement-settings-edit">
      {t('编辑', 'Edit')}
    </Button>
  ) : null;

  return (
    <Card title={t('结算设置', 'Settlement settings')} extra={extra} data-testid="settlement-settings" style={{ height: '100%' }}>
      <ErrorAlert error={error} onRetry={reload} />
      {!data && loading ? <Skeleton active paragraph={{ rows: 4 }} /> : null}
      {data && !editing ? (
        <Descriptions column={1} size="small" styles={{ label: { width: 120 } }}>
          <Descriptions.Item label={t('统计时间', 'Statistics')}>{t(`每月 ${data.statisticsDay} 日 ${data.statisticsTime} 统计上月数据`, `Day ${data.statisticsDay} of each month at ${data.statisticsTime}, for the month before`)}</Descriptions.Item>
          <Descriptions.Item label={t('发放截止', 'Pay by')}>{t(`每月 ${data.payByDay} 日当天结束前`, `End of day ${data.payByDay}`)}</Descriptions.Item>
          <Descriptions.Item label={t('财务审批', 'Approval')}>
            {data.approvalRequired ? <Tag color="blue">{t('发放前需财务审批', 'Finance approves before payment')}</Tag> : <Tag>{t('无需审批，预览后即可发放', 'None: pay straight from preview')}</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label={t('发放至', 'Pay into')}>
            {payIntoLabel(data.payInto, t)}
            {data.payInto === 'frozen' ? t(`（冻结 ${data.freezeDays} 天后转为可用）`, ` (released after ${data.freezeDays} days)`) : null}
          </Descriptions.Item>
          {data.payInto === 'available' ? <Descriptions.Item label={t('冻结天数', 'Freeze days')}>{t(`${data.freezeDays} 天（仅发放至冻结余额时使用）`, `${data.freezeDays} days (used when paying into frozen)`)}</Descriptions.Item> : null}
        </Descriptions>
      ) : null}
      {data && editing ? <SettingsForm data={data} saving={saving} onSave={(v) => void save(v)} onCancel={() => setEditing(false)} /> : null}
    </Card>
  );
}

function SettingsForm({ data, saving, onSave, onCancel }: { data: SettlementSettings; saving: boolean; onSave: (v: FormValues) => void; onCancel: () => void }) {
  const t = useT();
  const [form] = Form.useForm<FormValues>();
  return (
    <Form form={form} layout="vertical" initialValues={{ ...data, statisticsTime: dayjs(data.statisticsTime, 'HH:mm') }} onFinish={onSave} disabled={saving} requiredMark={false}>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="statisticsDay" label={t('统计日（每月）', 'Statistics day')} rules={[{ required: true, type: 'integer', min: 1, max: 28, message: t('请输入 1–28 之间的日期', 'A day from 1 to 28') }]}>
            <InputNumber min={1} max={28} precision={0} suffix={t('日', 'th')} style={{ width: '100%' }} data-testid="settings-statistics-day" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="statisticsTime" label={t('统计时刻', 'Statistics time')} rules={[{ required: true, message: t('请选择统计时刻', 'Pick a time') }]}>
            <TimePicker format="HH:mm" minuteStep={5} style={{ width: '100%' }} allowClear={false} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item
        name="payByDay"
        label={t('发放截止日（每月）', 'Pay-by day')}
        dependencies={['statisticsDay']}
        rules={[
          { required: true, type: 'integer', min: 1, max: 28, message: t('请输入 1–28 之间的日期', 'A day from 1 to 28') },
          ({ getFieldValue }) => ({
            validator: (_, v: number | null) =>
              v != null && v < (getFieldValue('statisticsDay') as number) ? Promise.reject(new Error(t('发放截止日不能早于统计日', 'The pay-by day cannot come before the statistics day'))) : Promise.resolve(),
          }),
        ]}
      >
        <InputNumber min={1} max={28} precision={0} suffix={t('日', 'th')} style={{ width: '100%' }} data-testid="settings-pay-by-day" />
      </Form.Item>
      <Form.Item name="approvalRequired" label={t('发放前需财务审批', 'Finance approval before payment')} valuePropName="checked">
        <Switch checkedChildren={t('需要', 'On')} unCheckedChildren={t('不需要', 'Off')} />
      </Form.Item>
      <Row gutter={12}>
        <Col span={14}>
          <Form.Item name="payInto" label={t('发放至', 'Pay into')} rules={[{ required: true, message: t('请选择发放去向', 'Choose where to pay') }]}>
            <Radio.Group optionType="button" options={[{ value: 'available', label: payIntoLabel('available', t) }, { value: 'frozen', label: payIntoLabel('frozen', t) }]} />
          </Form.Item>
        </Col>
        <Col span={10}>
          <Form.Item
            name="freezeDays"
            label={t('冻结天数', 'Freeze days')}
            dependencies={['payInto']}
            rules={[
              { required: true, type: 'integer', min: 0, max: 90, message: t('请输入 0–90 之间的天数', 'A number of days from 0 to 90') },
              ({ getFieldValue }) => ({
                validator: (_, v: number | null) =>
                  getFieldValue('payInto') === 'frozen' && v === 0 ? Promise.reject(new Error(t('发放至冻结余额时，冻结期至少 1 天', 'Paying into frozen needs at least 1 day'))) : Promise.resolve(),
              }),
            ]}
          >
            <InputNumber min={0} max={90} precision={0} suffix={t('天', 'days')} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Space>
        <Button type="primary" htmlType="submit" loading={saving} data-testid="settlement-settings-save">
          {t('保存', 'Save')}
        </Button>
        <Button onClick={onCancel} disabled={saving}>
          {t('取消', 'Cancel')}
        </Button>
      </Space>
    </Form>
  );
}
