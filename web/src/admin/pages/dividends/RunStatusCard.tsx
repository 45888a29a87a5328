import { LoadingOutlined } from '@ant-design/icons';
import { Alert, Card, Progress, Space, Steps, Typography } from 'antd';
import type { StepProps } from 'antd';
import { formatDate, formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { busyStates, payByDay, type Run, type RunState } from './model';

const order: RunState[] = ['collecting', 'preview', 'approved', 'paying', 'paid'];

/**
 * Where the run stands: the state machine as steps (a cancelled run ends in
 * a red step after the last one it reached), the live progress of the
 * statistics or the payment, and what it waits for.
 */
export function RunStatusCard({ run, canApprove }: { run: Run; canApprove: boolean }) {
  const t = useT();
  const busy = busyStates.includes(run.state);

  const steps: StepProps[] = [
    { title: t('统计中', 'Collecting'), description: formatDateTime(run.createdAt) },
    { title: t('预览', 'Preview'), description: run.previewAt ? formatDateTime(run.previewAt) : undefined },
    {
      title: t('已审批', 'Approved'),
      description: run.approvalRequired ? (run.approvedAt ? formatDateTime(run.approvedAt) : t('需财务审批', 'Needs finance')) : t('无需审批', 'Not required'),
    },
    { title: t('发放中', 'Paying') },
    { title: t('已发放', 'Paid'), description: run.paidAt ? formatDateTime(run.paidAt) : t(`截止 ${formatDate(payByDay(run.payBy))}`, `By ${formatDate(payByDay(run.payBy))}`) },
  ];

  let items = steps;
  let current = order.indexOf(run.state);
  let status: StepProps['status'] = run.state === 'paid' ? 'finish' : 'process';
  if (run.state === 'cancelled') {
    // The last state reached before the cancel, read from the timestamps the run kept.
    const reached = run.approvedAt ? 2 : run.previewAt ? 1 : 0;
    items = [
      ...steps.slice(0, reached + 1),
      { title: t('已取消', 'Cancelled'), description: run.cancelledAt ? formatDateTime(run.cancelledAt) : undefined },
    ];
    current = reached + 1;
    status = 'error';
  }
  if (busy) items = items.map((s, i) => (i === current ? { ...s, icon: <LoadingOutlined /> } : s));

  const done = run.progress.done ?? 0;
  const total = run.progress.total ?? 0;
  const percent = total > 0 ? Math.floor((done * 100) / total) : run.state === 'paid' ? 100 : 0;

  return (
    <Card style={{ marginBottom: 16 }} data-testid="run-status">
      <Steps current={current} status={status} items={items} size="small" data-testid="run-steps" />
      {busy || run.state === 'paid' ? (
        <div style={{ marginTop: 24 }} data-testid="run-progress">
          <Space style={{ justifyContent: 'space-between', width: '100%' }}>
            <Typography.Text>
              {run.state === 'collecting'
                ? t('正在冻结当月业绩并统计合格商户…', 'Freezing the month’s performance and counting qualifiers…')
                : run.state === 'paying'
                  ? t('正在按档位逐个入账…', 'Posting tier by tier…')
                  : t('发放完成', 'Payment complete')}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontVariantNumeric: 'tabular-nums' }}>
              {run.progress.stage === 'statistics'
                ? t(`候选商户 ${total.toLocaleString()} 人`, `${total.toLocaleString()} candidates`)
                : t(`${done.toLocaleString()} / ${total.toLocaleString()} 人次`, `${done.toLocaleString()} / ${total.toLocaleString()} payouts`)}
              {run.progress.updatedAt ? t(` · 更新于 ${formatDateTime(run.progress.updatedAt)}`, ` · updated ${formatDateTime(run.progress.updatedAt)}`) : ''}
            </Typography.Text>
          </Space>
          {run.state === 'collecting' ? (
            // The statistics report no steps between start and finish: a running bar, not a stuck 0%.
            <Progress percent={100} status="active" showInfo={false} strokeColor="#91caff" />
          ) : (
            <Progress percent={percent} status={busy ? 'active' : 'success'} />
          )}
        </div>
      ) : null}
      <RunNotice run={run} canApprove={canApprove} />
    </Card>
  );
}

/** The one thing to know about the run now, if any. */
function RunNotice({ run, canApprove }: { run: Run; canApprove: boolean }) {
  const t = useT();
  const style = { marginTop: 20 };
  if (run.state === 'cancelled') {
    return <Alert type="error" showIcon style={style} message={t('结算已取消', 'Run cancelled')} description={t(`原因：${run.cancelReason ?? '—'}。可为该月份重新新建结算。`, `Reason: ${run.cancelReason ?? '—'}. A new run of this month may be opened.`)} />;
  }
  if (run.late) {
    return (
      <Alert
        type="error"
        showIcon
        style={style}
        data-testid="run-late-warning"
        message={t(`已超过发放截止日（${formatDate(payByDay(run.payBy))}），请尽快完成审批与发放`, `Past the pay-by day (${formatDate(payByDay(run.payBy))}): approve and pay as soon as possible`)}
      />
    );
  }
  if (run.state === 'preview' && run.approvalRequired) {
    return (
      <Alert
        type="info"
        showIcon
        style={style}
        message={canApprove ? t('预览已生成，请核对档位与名单后审批', 'The preview is ready: check the tiers and qualifiers, then approve') : t('预览已生成，等待财务审批后方可发放', 'The preview is ready and waits for finance approval before payment')}
      />
    );
  }
  if (run.state === 'preview' || run.state === 'approved') {
    return <Alert type="info" showIcon style={style} message={t('核对无误后即可发放；发放后不可撤销', 'Pay once checked; payment cannot be undone')} />;
  }
  return null;
}
