import { ExclamationCircleFilled, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Form, Modal, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, errorText } from '../../../shared/api';
import { formatDate } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { EmptyState, ErrorAlert, Money, PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { busyStates, payByDay, runPoolFen, runQualifiers, sumFen, type Run } from './model';
import { RunStateTag } from './RunStateTag';

/** 月度结算: every month's run, newest first, and opening the run of an ended month. */
export default function SettlementRunsPage() {
  const t = useT();
  const navigate = useNavigate();
  const { can } = useStaffSession();
  const [month, setMonth] = useState<Dayjs | null>(null);
  const [creating, setCreating] = useState(false);
  const runs = useApi<{ items: Run[] }>('/api/admin/settlement/runs', { month: month?.format('YYYY-MM') });
  const items = runs.data?.items ?? [];
  const late = items.filter((r) => r.late);

  // A run collecting or paying changes by itself: keep the list current until it settles.
  const busy = items.some((r) => busyStates.includes(r.state));
  const { reload } = runs;
  useEffect(() => {
    if (!busy) return;
    const timer = window.setInterval(reload, 2_000);
    return () => window.clearInterval(timer);
  }, [busy, reload]);

  const columns: ColumnsType<Run> = [
    {
      title: t('结算月份', 'Month'),
      dataIndex: 'month',
      width: 110,
      render: (m: string, r) => (
        <Link to={`/settlement/${r.id}`} onClick={(e) => e.stopPropagation()} style={{ fontWeight: 600 }}>
          {m}
        </Link>
      ),
    },
    {
      title: t('状态', 'State'),
      dataIndex: 'state',
      width: 140,
      render: (_, r) => (
        <Space size={4}>
          <RunStateTag state={r.state} />
          {r.late ? (
            <Tooltip title={t(`已超过发放截止日 ${formatDate(payByDay(r.payBy))}，仍未发放`, `Past the pay-by day ${formatDate(payByDay(r.payBy))} and not paid`)}>
              <Tag color="error" icon={<ExclamationCircleFilled />} style={{ marginInlineEnd: 0 }} data-testid="run-late">
                {t('逾期', 'Late')}
              </Tag>
            </Tooltip>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('平台交易额', 'Volume'),
      dataIndex: 'volumeFen',
      align: 'right',
      render: (v: string | null) => (v === null ? <Typography.Text type="secondary">{t('统计中…', 'Collecting…')}</Typography.Text> : <Money fen={v} />),
    },
    { title: t('奖池合计', 'Pools'), key: 'pool', align: 'right', render: (_, r) => (r.tiers.length ? <Money fen={runPoolFen(r)} /> : '—') },
    { title: t('合格人次', 'Qualifiers'), key: 'qualifiers', align: 'right', render: (_, r) => (r.tiers.length ? runQualifiers(r).toLocaleString() : '—') },
    { title: t('已发放', 'Paid'), key: 'paid', align: 'right', render: (_, r) => <Money fen={sumFen(r.tiers.map((x) => x.paidFen))} strong={r.state === 'paid'} /> },
    {
      title: t('发放截止', 'Pay by'),
      dataIndex: 'payBy',
      width: 120,
      render: (v: string, r) => <Typography.Text type={r.late ? 'danger' : undefined}>{formatDate(payByDay(v))}</Typography.Text>,
    },
    { title: t('档位版本', 'Tiers'), dataIndex: 'tiersVersion', width: 100, render: (v: number) => <Tag>v{v}</Tag> },
    {
      title: '',
      key: 'open',
      width: 60,
      render: (_, r) => (
        <Link to={`/settlement/${r.id}`} onClick={(e) => e.stopPropagation()}>
          {t('查看', 'Open')}
        </Link>
      ),
    },
  ];

  return (
    <div data-testid="page-settlement-runs">
      <PageTitle
        title={t('月度结算', 'Monthly settlement')}
        sub={t('每月统计上月业绩，按分红档位生成预览，审批后发放到商户钱包', 'Each month the month before is counted, a preview made by the dividend tiers, and after approval paid to the merchants’ wallets')}
        extra={
          can('owner', 'finance') ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="run-create">
              {t('新建结算', 'New run')}
            </Button>
          ) : null
        }
      />
      <ErrorAlert error={runs.error} onRetry={runs.reload} />
      {late.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t(`${late.map((r) => r.month).join('、')} 的结算已超过发放截止日仍未发放，请尽快处理`, `${late.map((r) => r.month).join(', ')} past the pay-by day and not paid yet`)}
        />
      ) : null}
      <Card
        title={t('结算记录', 'Runs')}
        extra={
          <DatePicker
            picker="month"
            allowClear
            value={month}
            onChange={setMonth}
            placeholder={t('按月份筛选', 'Filter by month')}
            disabledDate={(d) => !d.isBefore(dayjs().startOf('month'))}
            data-testid="runs-month-filter"
          />
        }
      >
        <Table<Run>
          rowKey="id"
          columns={columns}
          dataSource={items}
          loading={runs.loading && !busy}
          pagination={{ pageSize: 12, hideOnSinglePage: true, showTotal: (n) => t(`共 ${n} 条`, `${n} runs`) }}
          onRow={(r) => ({ onClick: () => navigate(`/settlement/${r.id}`), style: { cursor: 'pointer' } })}
          locale={{ emptyText: <EmptyState text={month ? t('该月份还没有结算', 'No run for this month') : t('还没有结算记录', 'No runs yet')} /> }}
          data-testid="settlement-runs-table"
        />
      </Card>
      <NewRunModal open={creating} onClose={() => setCreating(false)} onCreated={(run) => navigate(`/settlement/${run.id}`)} />
    </div>
  );
}

/** Opens the run of an ended month; the server then computes its statistics in the background. */
function NewRunModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (run: Run) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ month: Dayjs }>();
  const [busy, setBusy] = useState(false);
  // Months that already have a run that is not cancelled: a second one would be refused.
  const runs = useApi<{ items: Run[] }>(open ? '/api/admin/settlement/runs' : null).data?.items ?? [];
  const taken = new Set(runs.filter((r) => r.state !== 'cancelled').map((r) => r.month));
  const lastMonth = dayjs().subtract(1, 'month').startOf('month');

  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const run = await api.post<Run>('/api/admin/settlement/runs', { month: v.month.format('YYYY-MM') });
      message.success(t(`已创建 ${run.month} 的结算，正在统计`, `Run for ${run.month} opened; collecting statistics`));
      onCreated(run);
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('新建月度结算', 'New monthly settlement')}
      okText={t('开始统计', 'Start')}
      cancelText={t('取消', 'Cancel')}
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={busy}
      afterOpenChange={(o) => {
        if (o) form.setFieldsValue({ month: taken.has(lastMonth.format('YYYY-MM')) ? undefined : lastMonth });
        else form.resetFields();
      }}
      forceRender
    >
      <Typography.Paragraph type="secondary">
        {t(
          '选择一个已结束的月份。系统将冻结该月业绩、按当前分红档位统计合格商户并生成预览；预览确认前不会发放任何款项。',
          'Pick a month that has ended. Its performance is frozen, qualifiers are counted with the current tiers, and a preview is made; nothing is paid before you confirm.',
        )}
      </Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item
          name="month"
          label={t('结算月份', 'Month')}
          rules={[
            { required: true, message: t('请选择结算月份', 'Pick a month') },
            {
              validator: (_, v: Dayjs | undefined) =>
                v && taken.has(v.format('YYYY-MM')) ? Promise.reject(new Error(t('该月份已有结算，请先取消原结算', 'This month already has a run; cancel it first'))) : Promise.resolve(),
            },
          ]}
          extra={t('只能选择已结束的月份；已有进行中或已发放结算的月份不可选。', 'Only ended months; months with an open or paid run are not selectable.')}
        >
          <DatePicker
            picker="month"
            style={{ width: '100%' }}
            disabledDate={(d) => !d.isBefore(dayjs().startOf('month')) || taken.has(d.format('YYYY-MM'))}
            data-testid="run-month"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
