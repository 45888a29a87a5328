import { CheckOutlined, CloseCircleOutlined, SendOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Modal, Popconfirm, Space, type ButtonProps } from 'antd';
import { useState } from 'react';
import { api, errorText } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import { useStaffSession } from '../../session';
import { cancellableStates, payIntoLabel, runPayoutFen, runQualifiers, type Run } from './model';

/** A payment that has not moved for this long is taken as interrupted (a restart) and may be resumed. */
const STALLED_MS = 60_000;

/**
 * What the signed-in person may do with the run now: approve (finance),
 * pay (owner or finance, after approval when the run needs it), cancel with
 * a reason (before payment). Each asks first; the server checks again.
 */
export function RunActions({ run, onChanged }: { run: Run; onChanged: () => void }) {
  const t = useT();
  const { message, modal } = App.useApp();
  const { can } = useStaffSession();
  const [busy, setBusy] = useState<'approve' | 'pay' | 'cancel' | null>(null);
  const [cancelling, setCancelling] = useState(false);

  const act = async (kind: 'approve' | 'pay', done: string) => {
    setBusy(kind);
    try {
      await api.post(`/api/admin/settlement/runs/${run.id}/${kind}`);
      message.success(done);
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(null);
      onChanged();
    }
  };

  const canApprove = can('finance') && run.state === 'preview' && run.approvalRequired;
  const stalled = run.state === 'paying' && !!run.progress.updatedAt && Date.now() - new Date(run.progress.updatedAt).getTime() > STALLED_MS;
  const canPay = can('owner', 'finance') && (run.state === 'approved' || (run.state === 'preview' && !run.approvalRequired) || stalled);
  const canCancel = can('owner', 'finance') && cancellableStates.includes(run.state);

  const confirmPay = () =>
    modal.confirm({
      title: stalled ? t(`继续发放 ${run.month} 的分红？`, `Resume paying ${run.month}?`) : t(`发放 ${run.month} 的分红？`, `Pay the dividends of ${run.month}?`),
      content: t(
        `将向 ${runQualifiers(run).toLocaleString()} 人次发放合计 ${formatMoney(runPayoutFen(run))}，入账至会员${payIntoLabel(run.payInto, t)}。发放后不可撤销。`,
        `${formatMoney(runPayoutFen(run))} to ${runQualifiers(run).toLocaleString()} payouts, into the members’ ${payIntoLabel(run.payInto, t).toLowerCase()}. This cannot be undone.`,
      ),
      okText: stalled ? t('继续发放', 'Resume') : t('确认发放', 'Pay'),
      cancelText: t('取消', 'Cancel'),
      onOk: () => act('pay', t('已开始发放', 'Payment started')),
    });

  return (
    <Space wrap>
      {canApprove ? (
        <Popconfirm
          title={t(`审批通过 ${run.month} 的结算？`, `Approve the run of ${run.month}?`)}
          description={t('审批后即可发放，请先核对档位分配与名单。', 'Once approved it can be paid; check the tiers and qualifiers first.')}
          okText={t('审批通过', 'Approve')}
          cancelText={t('取消', 'Cancel')}
          onConfirm={() => act('approve', t('已审批通过', 'Approved'))}
        >
          <Button type="primary" icon={<CheckOutlined />} loading={busy === 'approve'} disabled={busy !== null} data-testid="run-approve">
            {t('审批', 'Approve')}
          </Button>
        </Popconfirm>
      ) : null}
      {canPay ? (
        <Button type="primary" icon={<SendOutlined />} loading={busy === 'pay'} disabled={busy !== null} onClick={confirmPay} data-testid="run-pay">
          {stalled ? t('继续发放', 'Resume payment') : t('发放', 'Pay')}
        </Button>
      ) : null}
      {canCancel ? (
        <Button danger icon={<CloseCircleOutlined />} disabled={busy !== null} onClick={() => setCancelling(true)} data-testid="run-cancel">
          {t('取消结算', 'Cancel run')}
        </Button>
      ) : null}
      <CancelModal
        run={run}
        open={cancelling}
        onClose={() => setCancelling(false)}
        onCancelled={() => {
          setCancelling(false);
          onChanged();
        }}
      />
    </Space>
  );
}

function CancelModal({ run, open, onClose, onCancelled }: { run: Run; open: boolean; onClose: () => void; onCancelled: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      await api.post(`/api/admin/settlement/runs/${run.id}/cancel`, { reason: v.reason.trim() });
      message.success(t('结算已取消', 'Run cancelled'));
      form.resetFields();
      onCancelled();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t(`取消 ${run.month} 的结算`, `Cancel the run of ${run.month}`)}
      okText={t('确认取消结算', 'Cancel run')}
      // data-* is not among ButtonProps' declared keys, though the button passes it through.
      okButtonProps={{ danger: true, 'data-testid': 'run-cancel-confirm' } as ButtonProps}
      cancelText={t('返回', 'Back')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
      forceRender
    >
      <p>{t('取消后本次统计结果作废，不会发放任何款项；之后可为该月份重新新建结算。', 'The statistics are discarded and nothing is paid; a new run of the month may then be opened.')}</p>
      <Form form={form} layout="vertical">
        <Form.Item
          name="reason"
          label={t('取消原因', 'Reason')}
          rules={[
            { required: true, whitespace: true, message: t('请填写取消原因', 'Give a reason') },
            { max: 200, message: t('最多 200 个字', 'At most 200 characters') },
          ]}
        >
          <Input.TextArea rows={3} showCount maxLength={200} placeholder={t('如：档位配置有误，需调整后重新结算', 'e.g. the tiers were wrong and will be fixed first')} data-testid="run-cancel-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
