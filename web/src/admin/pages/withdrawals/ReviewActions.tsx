import { CheckOutlined, CloseOutlined, ExclamationCircleFilled } from '@ant-design/icons';
import { Alert, App, Button, type ButtonProps, Descriptions, Form, Input, Modal, Space, Typography } from 'antd';
import { useState } from 'react';
import { api, errorText } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import type { MemberBrief } from './members';
import type { Withdrawal } from './model';

/** The amount, big enough that nobody approves ¥50,000 thinking it was ¥500. */
function AmountBlock({ w, member }: { w: Withdrawal; member: MemberBrief | null | undefined }) {
  const t = useT();
  return (
    <div>
      <div style={{ textAlign: 'center', padding: '12px 0 16px' }}>
        <Typography.Text type="secondary">{t('提现金额', 'Amount')}</Typography.Text>
        <div style={{ fontSize: 32, fontWeight: 600, lineHeight: 1.3, fontVariantNumeric: 'tabular-nums', color: w.reviewRequired ? '#d4380d' : undefined }} data-testid="confirm-amount">
          {formatMoney(w.amountFen)}
        </div>
        <Typography.Text type="secondary">
          {t(`手续费 ${formatMoney(w.feeFen)} · 实际到账 ${formatMoney(w.netFen)}`, `Fee ${formatMoney(w.feeFen)} · net ${formatMoney(w.netFen)}`)}
        </Typography.Text>
      </div>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t('会员', 'Member')}>{member ? `${member.displayName}（${member.phone}）` : `ID ${w.memberId}`}</Descriptions.Item>
        <Descriptions.Item label={t('收款人', 'Payee')}>{w.payee.name}</Descriptions.Item>
        <Descriptions.Item label={t('收款账户', 'Account')}>{`${w.payee.bank} ${w.payee.account}`}</Descriptions.Item>
      </Descriptions>
      {w.reviewRequired ? (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          message={t('大额提现：请核对金额与收款账户后再操作', 'Large withdrawal: check the amount and the account before you act')}
        />
      ) : null}
    </div>
  );
}

/**
 * Approve and reject for a withdrawal awaiting review (owner and finance; the
 * page hides this from the other roles). Both ask first and show the amount.
 */
export function ReviewActions(props: {
  w: Withdrawal;
  member: MemberBrief | null | undefined;
  onDone: (updated: Withdrawal) => void;
  size?: 'small' | 'middle';
  /** Buttons without icons, for table rows. */
  compact?: boolean;
}) {
  const { w, member, onDone, size, compact } = props;
  const t = useT();
  const { modal, message } = App.useApp();
  const [rejecting, setRejecting] = useState(false);

  const approve = () =>
    modal.confirm({
      title: t(`批准提现 #${w.id}？`, `Approve withdrawal #${w.id}?`),
      icon: <ExclamationCircleFilled style={{ color: '#1677ff' }} />,
      width: 480,
      content: (
        <>
          <AmountBlock w={w} member={member} />
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
            {w.simulated
              ? t('模拟通道：批准后立即完成模拟打款，不会产生真实资金流动。', 'Sandbox channel: the simulated payout runs at once; no real money moves.')
              : t('批准后该笔提现进入待打款，由财务放入打款批次。', 'Once approved it waits for finance to put it into a payout batch.')}
          </Typography.Paragraph>
        </>
      ),
      okText: t('确认批准', 'Approve'),
      cancelText: t('取消', 'Cancel'),
      okButtonProps: { 'data-testid': 'withdrawal-approve-confirm' } as ButtonProps,
      onOk: async () => {
        try {
          const updated = await api.post<Withdrawal>(`/api/admin/withdrawals/${w.id}/approve`);
          message.success(t(`提现 #${w.id} 已批准`, `Withdrawal #${w.id} approved`));
          onDone(updated);
        } catch (e) {
          message.error(errorText(e));
        }
      },
    });

  return (
    <Space size={compact ? 4 : 8}>
      <Button type="primary" size={size} icon={compact ? undefined : <CheckOutlined />} onClick={approve} data-testid="withdrawal-approve">
        {t('批准', 'Approve')}
      </Button>
      <Button danger size={size} icon={compact ? undefined : <CloseOutlined />} onClick={() => setRejecting(true)} data-testid="withdrawal-reject">
        {t('驳回', 'Reject')}
      </Button>
      {rejecting ? <RejectModal w={w} member={member} onClose={() => setRejecting(false)} onDone={onDone} /> : null}
    </Space>
  );
}

function RejectModal({ w, member, onClose, onDone }: { w: Withdrawal; member: MemberBrief | null | undefined; onClose: () => void; onDone: (updated: Withdrawal) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    let reason: string;
    try {
      reason = (await form.validateFields()).reason;
    } catch {
      return; // the form shows what is missing
    }
    setSaving(true);
    try {
      const updated = await api.post<Withdrawal>(`/api/admin/withdrawals/${w.id}/reject`, { reason: reason.trim() });
      message.success(t(`提现 #${w.id} 已驳回，金额已退回会员可用余额`, `Withdrawal #${w.id} rejected; the amount is back in the member's available balance`));
      onDone(updated);
      onClose();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open
      title={t(`驳回提现 #${w.id}`, `Reject withdrawal #${w.id}`)}
      onCancel={onClose}
      onOk={submit}
      okText={t('确认驳回', 'Reject')}
      cancelText={t('取消', 'Cancel')}
      okButtonProps={{ danger: true, loading: saving, 'data-testid': 'withdrawal-reject-confirm' } as ButtonProps}
      destroyOnHidden
      width={480}
    >
      <AmountBlock w={w} member={member} />
      <Form form={form} layout="vertical" style={{ marginTop: 16 }}>
        <Form.Item
          name="reason"
          label={t('驳回原因（会员可见）', 'Reason (the member reads it)')}
          rules={[
            { required: true, whitespace: true, message: t('请填写驳回原因', 'Enter a reason') },
            { min: 2, message: t('至少 2 个字', 'At least 2 characters') },
            { max: 500, message: t('最多 500 个字', 'At most 500 characters') },
          ]}
        >
          <Input.TextArea rows={3} showCount maxLength={500} placeholder={t('例如：收款账户户名与实名信息不一致', 'e.g. the account holder does not match the verified name')} data-testid="withdrawal-reject-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
