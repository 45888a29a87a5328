import { Button, Dialog, List, Tag } from 'antd-mobile';
import { RightOutline } from 'antd-mobile-icons';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { formatDate, formatDateTime } from '../../shared/format';
import { useT } from '../../shared/i18n';
import { formatMoney, ppmToPercent } from '../../shared/money';
import { useApi } from '../../shared/use-api';
import { MoreLoader, useInfiniteList } from './components/infinite';
import { levelCauseLabel } from './components/labels';
import { ConditionProgress, nextLevelPercent } from './components/level';
import { PaymentResult, useCheckout } from './components/payment';
import type { LadderLevel, LevelChange, MyLevel } from './components/types';
import { LoadError, PageBody, PageSkeleton, Section } from './components/ui';

function CurrentLevel({ level }: { level: MyLevel }) {
  const t = useT();
  return (
    <div data-testid="level-current" style={{ borderRadius: 12, padding: 20, color: '#5c3c00', background: 'linear-gradient(135deg, #fff1b8 0%, #ffd666 100%)' }}>
      <div style={{ fontSize: 13, opacity: 0.8 }}>{t('当前等级', 'Current level')}</div>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: 10, marginTop: 4, flexWrap: 'wrap' }}>
        <span style={{ fontSize: 28, fontWeight: 700 }} data-testid="level-name">
          {level.level.name}
        </span>
        <span style={{ fontSize: 14 }}>{t(`分润费率 ${ppmToPercent(level.level.rateProfitSharePpm)}`, `Profit share ${ppmToPercent(level.level.rateProfitSharePpm)}`)}</span>
      </div>
      <div style={{ fontSize: 12, marginTop: 8, opacity: 0.85 }}>
        {level.since ? t(`${formatDate(level.since)} 起 · ${levelCauseLabel(t, level.cause)}`, `Since ${formatDate(level.since)} · ${levelCauseLabel(t, level.cause)}`) : levelCauseLabel(t, null)}
        {level.purchased ? t(` · 已购买「${level.purchased.name ?? ''}」`, ` · bought ${level.purchased.name ?? ''}`) : ''}
      </div>
    </div>
  );
}

function NextLevel({ level }: { level: MyLevel }) {
  const t = useT();
  const next = level.next;
  if (!next) {
    return (
      <Section title={t('升级进度', 'Progress')}>
        <div style={{ color: 'var(--adm-color-weak)', fontSize: 14 }}>{t('您已是最高等级，继续保持！', 'You are at the top level. Keep it up!')}</div>
      </Section>
    );
  }
  return (
    <Section
      testId="level-next"
      title={t(`距「${next.level.name}」`, `To ${next.level.name}`)}
      extra={<span style={{ color: 'var(--adm-color-primary)', fontWeight: 600 }}>{nextLevelPercent(next)}%</span>}
    >
      {next.reached ? (
        <Tag color="success" fill="outline" style={{ marginBottom: 12 }}>
          {t('已达成条件，将在下次评估时自动升级', 'Conditions met: the upgrade happens at the next evaluation')}
        </Tag>
      ) : null}
      {next.byPerformance ? (
        <>
          <div style={{ fontSize: 13, color: 'var(--adm-color-weak)', marginBottom: 12 }}>
            {next.mode === 'all' ? t('需同时满足以下条件：', 'All of these:') : t('满足以下任一条件即可：', 'Any one of these:')}
            {t(`（"本月"指 ${level.month}）`, ` ("this month" is ${level.month})`)}
          </div>
          {next.conditions.map((c, i) => (
            <ConditionProgress key={i} c={c} />
          ))}
        </>
      ) : (
        <div style={{ fontSize: 14, color: 'var(--adm-color-weak)' }}>{t(`「${next.level.name}」不能通过业绩升级，只能购买开通`, `${next.level.name} cannot be reached by performance, only bought`)}</div>
      )}
    </Section>
  );
}

function Purchase({ level }: { level: MyLevel }) {
  const t = useT();
  const navigate = useNavigate();
  const checkout = useCheckout();
  const [buying, setBuying] = useState<number | null>(null);
  if (level.purchasable.length === 0) return null;
  const buy = async (p: MyLevel['purchasable'][number]) => {
    const ok = await Dialog.confirm({
      title: t(`购买「${p.name}」`, `Buy ${p.name}`),
      content: t(
        `需支付 ${formatMoney(p.payFen)}，支付成功后立即升级为「${p.name}」（分润费率 ${ppmToPercent(p.rateProfitSharePpm)}）。`,
        `You pay ${formatMoney(p.payFen)}; once paid you are ${p.name} (profit share ${ppmToPercent(p.rateProfitSharePpm)}).`,
      ),
      confirmText: t('去支付', 'Pay'),
      cancelText: t('取消', 'Cancel'),
    });
    if (!ok) return;
    setBuying(p.id);
    await checkout.start({ purpose: 'level_purchase', purposeRef: String(p.id) }, '/level', (path) => navigate(path, { replace: true }));
    setBuying(null);
  };
  return (
    <Section title={t('购买升级', 'Buy an upgrade')} testId="level-purchase">
      {!level.canPurchase ? (
        <div style={{ fontSize: 13, color: 'var(--adm-color-warning)', marginBottom: 8 }}>
          {t('完成入驻（资料审核通过并缴纳入驻费）后才能购买等级', 'Levels can be bought once onboarding is complete (approved and entry fee paid)')}
        </div>
      ) : null}
      <List style={{ '--border-top': 'none', '--border-bottom': 'none', '--padding-left': '0', '--padding-right': '0' }}>
        {level.purchasable.map((p) => (
          <List.Item
            key={p.id}
            description={t(`分润费率 ${ppmToPercent(p.rateProfitSharePpm)}`, `Profit share ${ppmToPercent(p.rateProfitSharePpm)}`)}
            extra={
              <Button size="small" color="primary" disabled={!level.canPurchase || (checkout.busy && buying !== p.id)} loading={checkout.busy && buying === p.id} onClick={() => void buy(p)} data-testid={`level-buy-${p.id}`}>
                {formatMoney(p.payFen)}
              </Button>
            }
          >
            <span style={{ fontWeight: 600 }}>{p.name}</span>
            {p.payFen !== p.priceFen ? (
              <span style={{ fontSize: 12, color: 'var(--adm-color-weak)', textDecoration: 'line-through', marginLeft: 6 }}>{formatMoney(p.priceFen)}</span>
            ) : null}
          </List.Item>
        ))}
      </List>
    </Section>
  );
}

function Ladder({ currentRank }: { currentRank: number }) {
  const t = useT();
  const ladder = useApi<{ levels: LadderLevel[] }>('/api/member/levels');
  return (
    <Section title={t('等级体系', 'The ladder')} testId="level-ladder">
      {ladder.error ? <LoadError error={ladder.error} onRetry={ladder.reload} /> : null}
      {(ladder.data?.levels ?? []).map((l) => {
        const mine = l.rank === currentRank;
        return (
          <div key={l.id} style={{ padding: 12, borderRadius: 8, marginBottom: 8, background: mine ? '#fffbe6' : '#f7f8fa', border: mine ? '1px solid #ffd666' : '1px solid transparent' }}>
            <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8 }}>
              <div style={{ fontWeight: 600, minWidth: 0 }}>
                {l.name}
                {mine ? (
                  <Tag color="warning" style={{ marginLeft: 6 }}>
                    {t('当前', 'You')}
                  </Tag>
                ) : null}
              </div>
              <div style={{ fontSize: 13, color: 'var(--adm-color-weak)', flexShrink: 0 }}>
                {t(`分润 ${ppmToPercent(l.rateProfitSharePpm)}`, `Share ${ppmToPercent(l.rateProfitSharePpm)}`)}
                {l.forSale && BigInt(l.priceFen) > 0n ? ` · ${formatMoney(l.priceFen)}` : ''}
              </div>
            </div>
            <div style={{ fontSize: 12, color: 'var(--adm-color-text-secondary)', marginTop: 6, lineHeight: 1.6 }}>
              {l.upgrade.items.length > 0 ? t(`升级条件：${l.upgrade.summary}`, `To reach: ${l.upgrade.summary}`) : l.rank === 1 ? t('注册即可获得', 'Everyone starts here') : t('仅可购买开通', 'Only by purchase')}
              {l.keep.items.length > 0 ? (
                <div>{t(`保级条件：${l.keep.summary}`, `To keep: ${l.keep.summary}`)}</div>
              ) : null}
            </div>
          </div>
        );
      })}
    </Section>
  );
}

function History() {
  const t = useT();
  const list = useInfiniteList<LevelChange>('/api/member/level/history', {}, 20);
  return (
    <Section title={t('等级变更记录', 'Level history')} testId="level-history">
      {list.loaded && list.items.length === 0 ? <div style={{ fontSize: 14, color: 'var(--adm-color-weak)' }}>{t('暂无变更记录', 'No changes yet')}</div> : null}
      {list.items.map((h) => (
        <div key={h.id} style={{ padding: '10px 0', borderBottom: '1px solid #f0f0f0' }}>
          <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, fontSize: 14 }}>
            <span style={{ display: 'flex', alignItems: 'center', gap: 4, minWidth: 0, flexWrap: 'wrap' }}>
              {h.from?.name ?? '—'}
              <RightOutline fontSize={12} />
              <b>{h.to.name}</b>
            </span>
            <span style={{ color: 'var(--adm-color-weak)', fontSize: 12, flexShrink: 0 }}>{formatDateTime(h.at)}</span>
          </div>
          <div style={{ fontSize: 12, color: 'var(--adm-color-weak)', marginTop: 4 }}>
            {levelCauseLabel(t, h.cause)}
            {h.reason ? ` · ${h.reason}` : ''}
          </div>
        </div>
      ))}
      <MoreLoader loadMore={list.loadMore} hasMore={list.hasMore} count={list.items.length} />
    </Section>
  );
}

export default function LevelPage() {
  const t = useT();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const orderNo = params.get('order');
  const level = useApi<MyLevel>(orderNo ? null : '/api/member/level');
  if (orderNo) {
    return (
      <PageBody testId="page-level">
        <Section style={{ padding: 0 }}>
          <PaymentResult orderNo={orderNo} doneText={t('查看我的等级', 'See my level')} onDone={() => navigate('/level', { replace: true })} />
        </Section>
      </PageBody>
    );
  }
  if (!level.data) return level.error ? <LoadError error={level.error} onRetry={level.reload} /> : <PageSkeleton rows={3} />;
  return (
    <PageBody testId="page-level">
      <CurrentLevel level={level.data} />
      <NextLevel level={level.data} />
      <Purchase level={level.data} />
      <Ladder currentRank={level.data.level.rank} />
      <History />
    </PageBody>
  );
}
