import { Descriptions, Drawer, Skeleton, Space, Tag, Timeline, Typography } from 'antd';
import { useI18n } from '../../../shared/i18n';
import { formatDateTime } from '../../../shared/format';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert, Money } from '../../components';
import { useStaffSession } from '../../session';
import { MemberCell, useMemberLookup } from './members';
import { actorWords, channelWords, statusWords, type Withdrawal, type WithdrawalDetail, type WithdrawalStatus } from './model';
import { ReviewActions } from './ReviewActions';

export function StatusTag({ status }: { status: WithdrawalStatus }) {
  const { lang } = useI18n();
  const [zh, en, color] = statusWords[status];
  return <Tag color={color}>{lang === 'en' ? en : zh}</Tag>;
}

/** Everything GET /api/admin/withdrawals/:id says about one withdrawal, with the review buttons. */
export function WithdrawalDrawer({ id, onClose, onChanged }: { id: number | null; onClose: () => void; onChanged: (w: Withdrawal) => void }) {
  const { t, lang } = useI18n();
  const { can } = useStaffSession();
  const { data, error, loading, reload } = useApi<WithdrawalDetail>(id === null ? null : `/api/admin/withdrawals/${id}`);
  const w = data && data.id === id ? data : undefined;
  const members = useMemberLookup(w ? [w.memberId] : []);
  const word = (map: Record<string, [string, string]>, key: string) => (map[key] ? map[key][lang === 'en' ? 1 : 0] : key);
  const statusWord = (s: string) => (s in statusWords ? statusWords[s as WithdrawalStatus][lang === 'en' ? 1 : 0] : s);

  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={640}
      title={t(`提现详情 #${id ?? ''}`, `Withdrawal #${id ?? ''}`)}
      data-testid="withdrawal-drawer"
      extra={
        w && w.status === 'requested' && can('owner', 'finance') ? (
          <ReviewActions
            w={w}
            member={members.get(w.memberId)}
            onDone={(updated) => {
              onChanged(updated);
              reload();
            }}
          />
        ) : null
      }
    >
      <ErrorAlert error={error} onRetry={reload} />
      {!w && loading ? <Skeleton active paragraph={{ rows: 10 }} /> : null}
      {w ? (
        <Space direction="vertical" size={24} style={{ width: '100%' }}>
          <Descriptions bordered size="small" column={2} title={t('提现信息', 'Withdrawal')}>
            <Descriptions.Item label={t('状态', 'Status')} span={2}>
              <Space wrap>
                <StatusTag status={w.status} />
                {w.reviewRequired ? <Tag color="volcano">{t('大额需人工审核', 'Large: manual review')}</Tag> : null}
                {w.simulated ? <Tag>{t('模拟，不产生真实资金流动', 'Simulated: no real money')}</Tag> : null}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('提现金额', 'Amount')}>
              <Money fen={w.amountFen} strong />
            </Descriptions.Item>
            <Descriptions.Item label={t('手续费', 'Fee')}>
              <Money fen={w.feeFen} />
            </Descriptions.Item>
            <Descriptions.Item label={t('实际到账', 'Net')} span={2}>
              <Money fen={w.netFen} strong />
            </Descriptions.Item>
            <Descriptions.Item label={t('会员', 'Member')} span={2}>
              <MemberCell id={w.memberId} members={members} />
            </Descriptions.Item>
            <Descriptions.Item label={t('收款人', 'Payee')}>{w.payee.name}</Descriptions.Item>
            <Descriptions.Item label={t('开户行', 'Bank')}>{w.payee.bank}</Descriptions.Item>
            <Descriptions.Item label={t('收款账号', 'Account')} span={2}>
              <Typography.Text code>{w.payee.account}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('打款通道', 'Payout channel')}>{word(channelWords, w.channel)}</Descriptions.Item>
            <Descriptions.Item label={t('打款批次', 'Batch')}>{w.batchId !== null ? `#${w.batchId}` : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('通道流水号', 'Channel reference')} span={2}>
              {w.channelRef ? <Typography.Text copyable>{w.channelRef}</Typography.Text> : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('原因 / 说明', 'Reason / note')} span={2}>
              {w.reason ?? '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('申请时间', 'Requested')}>{formatDateTime(w.requestedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('更新时间', 'Updated')}>{formatDateTime(w.updatedAt)}</Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Title level={5}>{t('处理记录', 'History')}</Typography.Title>
            <Timeline
              items={w.events.map((e) => ({
                color: e.toStatus === 'rejected' || e.toStatus === 'failed' ? 'red' : e.toStatus === 'paid' ? 'green' : 'blue',
                children: (
                  <div>
                    <Typography.Text strong>
                      {e.fromStatus ? `${statusWord(e.fromStatus)} → ` : ''}
                      {statusWord(e.toStatus)}
                    </Typography.Text>
                    <div>
                      <Typography.Text type="secondary">
                        {formatDateTime(e.at)} · {word(actorWords, e.actorKind)}
                      </Typography.Text>
                    </div>
                    {e.reason ? <Typography.Text>{e.reason}</Typography.Text> : null}
                  </div>
                ),
              }))}
            />
          </div>
        </Space>
      ) : null}
    </Drawer>
  );
}
