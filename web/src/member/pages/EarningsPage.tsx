import { CapsuleTabs, Empty, List, Popup, Skeleton, Tabs, Tag } from 'antd-mobile';
import { DownlandOutline } from 'antd-mobile-icons';
import { useState } from 'react';
import { withQuery } from '../../shared/api';
import { formatDateTime } from '../../shared/format';
import { useT } from '../../shared/i18n';
import { formatMoney } from '../../shared/money';
import { useApi } from '../../shared/use-api';
import { MoreLoader, useInfiniteList } from './components/infinite';
import type { DividendLine, RewardLine, StatementLine, Wallet } from './components/types';
import { LoadError, Money, PageBody, Section } from './components/ui';
import { WalletCard } from './components/WalletCard';

type T = (zh: string, en: string) => string;

/** Statement filters: entry types as the API names them. */
const FILTERS: { key: string; types?: string; zh: string; en: string }[] = [
  { key: 'all', zh: '全部', en: 'All' },
  { key: 'reward', types: 'reward,credit', zh: '奖励', en: 'Rewards' },
  { key: 'release', types: 'release', zh: '解冻', en: 'Released' },
  { key: 'withdrawal', types: 'withdrawal_request,withdrawal_reject,withdrawal_paid,withdrawal_failed', zh: '提现', en: 'Withdrawals' },
  { key: 'clawback', types: 'clawback', zh: '追回', en: 'Clawbacks' },
];

/** What a statement line means, in a sentence, for the lines that carry no payout explanation. */
function meaning(t: T, line: StatementLine): string {
  switch (line.type) {
    case 'reward':
    case 'credit':
      return t('奖励发放到冻结余额，冻结期满后转入可用余额。', 'A reward, held as frozen until its freeze period ends.');
    case 'release':
      return line.account === 'wallet:available'
        ? t('冻结期满，这笔奖励转入可用余额，现在可以提现。', 'The freeze period ended: this reward is now available to withdraw.')
        : t('冻结期满，这笔奖励从冻结余额转出。', 'The freeze period ended: this reward left the frozen balance.');
    case 'clawback':
      return t('下级的交易发生退款，该交易产生的奖励被收回。', 'A sale was refunded, so the reward it earned was taken back.');
    case 'withdrawal_request':
      return t('您申请了提现，金额从可用余额转入提现中。', 'You requested a withdrawal; the amount moved to withdrawing.');
    case 'withdrawal_reject':
      return t('提现被驳回，金额退回可用余额。', 'The withdrawal was rejected; the amount returned to available.');
    case 'withdrawal_paid':
      return t('提现已打款到您的银行账户。', 'The withdrawal was paid to your bank account.');
    case 'withdrawal_failed':
      return t('提现打款失败，金额退回可用余额。', 'The payout failed; the amount returned to available.');
    case 'adjustment':
      return t('平台对您的余额进行了调整。', 'The platform adjusted your balance.');
    default:
      return line.typeLabel;
  }
}

function LineDetail({ line, onClose }: { line: StatementLine | null; onClose: () => void }) {
  const t = useT();
  return (
    <Popup visible={line !== null} onMaskClick={onClose} onClose={onClose} bodyStyle={{ borderTopLeftRadius: 12, borderTopRightRadius: 12, maxHeight: '80vh', overflowY: 'auto' }}>
      {line ? (
        <div data-testid="statement-detail" style={{ padding: 20 }}>
          <div style={{ textAlign: 'center' }}>
            <div style={{ fontSize: 14, color: 'var(--adm-color-weak)' }}>{line.typeLabel}</div>
            <Money fen={line.amountFen} signed style={{ fontSize: 30, fontWeight: 700, display: 'block', marginTop: 6, color: BigInt(line.amountFen) > 0n ? 'var(--adm-color-success)' : undefined }} />
          </div>
          <div style={{ marginTop: 16, padding: 12, borderRadius: 8, background: '#f7f8fa', fontSize: 14, lineHeight: 1.7 }}>
            {line.explanations.length > 0 ? (
              <>
                <div style={{ fontWeight: 600, marginBottom: 4 }}>{t('这笔奖励怎么来的', 'How this reward was earned')}</div>
                {line.explanations.map((e, i) => (
                  <div key={i} data-testid="statement-explanation">
                    {e}
                  </div>
                ))}
              </>
            ) : (
              <div data-testid="statement-explanation">{meaning(t, line)}</div>
            )}
            {BigInt(line.debtRepaidFen) > 0n ? <div>{t(`其中 ${formatMoney(line.debtRepaidFen)} 用于抵扣追回欠款。`, `${formatMoney(line.debtRepaidFen)} of it repaid a clawback.`)}</div> : null}
          </div>
          <List style={{ marginTop: 8, '--border-top': 'none', '--border-bottom': 'none', '--padding-left': '0', '--padding-right': '0', '--font-size': '14px' }}>
            <List.Item extra={line.accountLabel}>{t('账户', 'Account')}</List.Item>
            <List.Item extra={formatMoney(line.balanceAfterFen)}>{t('变动后余额', 'Balance after')}</List.Item>
            <List.Item extra={formatDateTime(line.at)}>{t('时间', 'Time')}</List.Item>
            {line.memo ? <List.Item description={line.memo}>{t('备注', 'Memo')}</List.Item> : null}
          </List>
        </div>
      ) : null}
    </Popup>
  );
}

function Statement() {
  const t = useT();
  const [filter, setFilter] = useState('all');
  const types = FILTERS.find((f) => f.key === filter)?.types;
  const list = useInfiniteList<StatementLine>('/api/member/statement', { type: types }, 20);
  const [open, setOpen] = useState<StatementLine | null>(null);
  return (
    <>
      <div style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
        <div style={{ flex: 1, minWidth: 0 }}>
          <CapsuleTabs activeKey={filter} onChange={setFilter} data-testid="statement-filter">
            {FILTERS.map((f) => (
              <CapsuleTabs.Tab key={f.key} title={t(f.zh, f.en)} />
            ))}
          </CapsuleTabs>
        </div>
      </div>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '0 12px 4px', fontSize: 12, color: 'var(--adm-color-weak)' }}>
        <span>{t('点按一条查看说明', 'Tap a line for its explanation')}</span>
        <a href={withQuery('/api/member/statement.csv', { type: types })} download data-testid="statement-csv" style={{ display: 'flex', alignItems: 'center', gap: 2 }}>
          <DownlandOutline />
          {t('导出 CSV', 'Export CSV')}
        </a>
      </div>
      {!list.loaded && list.items.length === 0 ? (
        <div style={{ padding: 16 }}>
          <Skeleton.Paragraph lineCount={5} animated />
        </div>
      ) : null}
      {list.loaded && list.items.length === 0 ? <Empty description={t('暂无收支记录', 'No entries yet')} style={{ padding: '32px 0' }} /> : null}
      <div data-testid="statement-list">
        {list.items.map((l) => {
          const positive = BigInt(l.amountFen) > 0n;
          return (
            <div
              key={l.id}
              role="button"
              onClick={() => setOpen(l)}
              data-testid="statement-line"
              style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '12px 16px', borderBottom: '1px solid #f0f0f0', cursor: 'pointer' }}
            >
              <div style={{ flex: 1, minWidth: 0 }}>
                <div style={{ fontSize: 15 }}>
                  {l.typeLabel}
                  <span style={{ fontSize: 12, color: 'var(--adm-color-weak)', marginLeft: 6 }}>{l.accountLabel}</span>
                </div>
                {l.memo ? <div style={{ fontSize: 13, color: 'var(--adm-color-text-secondary)', marginTop: 2, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{l.memo}</div> : null}
                <div style={{ fontSize: 12, color: 'var(--adm-color-weak)', marginTop: 2 }}>{formatDateTime(l.at)}</div>
              </div>
              <Money fen={l.amountFen} signed style={{ flexShrink: 0, fontSize: 16, fontWeight: 600, color: positive ? 'var(--adm-color-success)' : 'var(--adm-color-text)' }} />
            </div>
          );
        })}
      </div>
      <MoreLoader loadMore={list.loadMore} hasMore={list.hasMore} count={list.items.length} />
      <LineDetail line={open} onClose={() => setOpen(null)} />
    </>
  );
}

function kindLabel(t: T, kind: string): string {
  if (kind === 'profit_share') return t('级差分润', 'Profit share');
  if (kind === 'peer_bonus') return t('平级奖', 'Peer bonus');
  return t('推荐奖励', 'Referral reward');
}

/** Every payout with its explanation in words (GET /api/member/rewards). */
function Rewards() {
  const t = useT();
  const list = useInfiniteList<RewardLine>('/api/member/rewards', {}, 20);
  return (
    <>
      {!list.loaded && list.items.length === 0 ? (
        <div style={{ padding: 16 }}>
          <Skeleton.Paragraph lineCount={5} animated />
        </div>
      ) : null}
      {list.loaded && list.items.length === 0 ? <Empty description={t('暂无奖励，邀请好友即可获得', 'No rewards yet — invite friends to earn')} style={{ padding: '32px 0' }} /> : null}
      {list.items.map((r) => (
        <div key={r.id} data-testid="reward-line" style={{ padding: '12px 16px', borderBottom: '1px solid #f0f0f0' }}>
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8 }}>
            <span style={{ display: 'flex', gap: 6, alignItems: 'center', minWidth: 0 }}>
              <Tag color="primary" fill="outline">
                {kindLabel(t, r.kind)}
              </Tag>
              {r.position ? <span style={{ fontSize: 13, color: 'var(--adm-color-weak)' }}>{r.position}</span> : null}
              {r.clawedBack ? <Tag color="danger">{t('已追回', 'Clawed back')}</Tag> : null}
            </span>
            <Money fen={r.amountFen} signed style={{ fontWeight: 600, color: r.clawedBack ? 'var(--adm-color-weak)' : 'var(--adm-color-success)', textDecoration: r.clawedBack ? 'line-through' : undefined }} />
          </div>
          <div style={{ fontSize: 13, marginTop: 6, lineHeight: 1.6, color: 'var(--adm-color-text-secondary)' }}>{r.text}</div>
          <div style={{ fontSize: 12, marginTop: 4, color: 'var(--adm-color-weak)' }}>{formatDateTime(r.occurredAt)}</div>
        </div>
      ))}
      <MoreLoader loadMore={list.loadMore} hasMore={list.hasMore} count={list.items.length} />
    </>
  );
}

function Dividends() {
  const t = useT();
  const d = useApi<{ items: DividendLine[]; tiers: string[] }>('/api/member/dividends');
  if (d.error) return <LoadError error={d.error} onRetry={d.reload} />;
  if (!d.data) {
    return (
      <div style={{ padding: 16 }}>
        <Skeleton.Paragraph lineCount={4} animated />
      </div>
    );
  }
  return (
    <div style={{ padding: '0 16px 16px' }}>
      {d.data.items.length === 0 ? <Empty description={t('暂无分红记录', 'No dividends yet')} style={{ padding: '24px 0 8px' }} /> : null}
      {d.data.items.map((i) => (
        <div key={`${i.month}-${i.tierId}`} data-testid="dividend-line" style={{ padding: '12px 0', borderBottom: '1px solid #f0f0f0' }}>
          <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
            <span style={{ fontWeight: 600 }}>
              {i.month} · {i.tierName}
            </span>
            <Money fen={i.shareFen} signed style={{ fontWeight: 600, color: 'var(--adm-color-success)' }} />
          </div>
          <div style={{ marginTop: 4 }}>
            <Tag color={i.paid ? 'success' : 'warning'} fill="outline">
              {i.paid ? t('已发放', 'Paid') : t('发放中', 'Paying')}
            </Tag>
          </div>
          {i.conditions.length > 0 ? (
            <div style={{ fontSize: 12, marginTop: 6, color: 'var(--adm-color-weak)', lineHeight: 1.6 }}>
              {t('达成条件：', 'Met: ')}
              {i.conditions.join('；')}
            </div>
          ) : null}
        </div>
      ))}
      {d.data.tiers.length > 0 ? (
        <div style={{ marginTop: 16, padding: 12, borderRadius: 8, background: '#f7f8fa', fontSize: 13, lineHeight: 1.7 }}>
          <div style={{ fontWeight: 600, marginBottom: 4 }}>{t('分红规则', 'How dividends work')}</div>
          {d.data.tiers.map((tier, i) => (
            <div key={i}>· {tier}</div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

export default function EarningsPage() {
  const t = useT();
  const wallet = useApi<Wallet>('/api/member/wallet');
  const [tab, setTab] = useState('statement');
  return (
    <PageBody testId="page-earnings">
      <WalletCard wallet={wallet} />
      <Section style={{ padding: '4px 0 0' }}>
        <Tabs activeKey={tab} onChange={setTab} data-testid="earnings-tabs">
          <Tabs.Tab key="statement" title={t('收支明细', 'Statement')}>
            <Statement />
          </Tabs.Tab>
          <Tabs.Tab key="rewards" title={t('奖励记录', 'Rewards')}>
            <Rewards />
          </Tabs.Tab>
          <Tabs.Tab key="dividends" title={t('分红', 'Dividends')}>
            <Dividends />
          </Tabs.Tab>
        </Tabs>
      </Section>
    </PageBody>
  );
}
