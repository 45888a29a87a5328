import { Collapse, Tag } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useT } from '../../shared/i18n';
import { formatMoney, ppmToPercent } from '../../shared/money';
import { useApi } from '../../shared/use-api';
import type { LadderLevel, Rules } from './components/types';
import { LoadError, PageBody, PageSkeleton, Section } from './components/ui';

const numberStyle = { display: 'inline-flex', width: 20, height: 20, borderRadius: 10, background: '#e6f4ff', color: '#1677ff', fontSize: 12, alignItems: 'center', justifyContent: 'center', flexShrink: 0, marginTop: 2 } as const;

function Point({ n, children }: { n: number; children: ReactNode }) {
  return (
    <div style={{ display: 'flex', gap: 8, fontSize: 14, lineHeight: 1.7, marginBottom: 8 }}>
      <span style={numberStyle}>{n}</span>
      <div style={{ minWidth: 0 }}>{children}</div>
    </div>
  );
}

function RewardRules({ rules }: { rules: Rules }) {
  const t = useT();
  const sections = rules.sections.filter((s) => s.rules.length > 0);
  return (
    <Section title={t('推荐奖励', 'Referral rewards')} extra={<Tag fill="outline">{t(`第 ${rules.version} 版`, `Version ${rules.version}`)}</Tag>} testId="rules-rewards">
      {sections.length === 0 ? <div style={{ color: 'var(--adm-color-weak)', fontSize: 14 }}>{t('当前没有推荐奖励规则', 'No referral rewards at the moment')}</div> : null}
      {sections.map((s) => (
        <div key={s.trigger} style={{ marginBottom: 12 }}>
          <div style={{ fontWeight: 600, fontSize: 15, marginBottom: 8 }}>{t(`${s.title}奖励`, `${s.title}`)}</div>
          {s.rules.map((r) => (
            <div key={r.id} style={{ padding: 12, borderRadius: 8, background: '#f7f8fa', marginBottom: 8 }}>
              <div style={{ fontWeight: 600, fontSize: 14 }}>{r.name}</div>
              {/* The words made from the rule itself come first: they are what is paid. The operator's own
                  description is a note beside them, and may lag behind an edit of the rate. */}
              <div style={{ fontSize: 14, marginTop: 4, lineHeight: 1.6 }} data-testid="rule-text">{r.text}</div>
              {r.description ? <div style={{ fontSize: 12, marginTop: 4, color: 'var(--adm-color-weak)', lineHeight: 1.6 }}>{t('说明：', 'Note: ')}{r.description}</div> : null}
            </div>
          ))}
        </div>
      ))}
    </Section>
  );
}

function ProfitShare({ ps, example }: { ps: NonNullable<Rules['profitShare']>; example: string | null }) {
  const t = useT();
  return (
    <Section title={t('级差分润', 'Profit share')} testId="rules-profit-share">
      <div style={{ fontSize: 14, lineHeight: 1.7 }}>{ps.text}</div>
      <div style={{ display: 'grid', gridTemplateColumns: '1fr auto', margin: '12px 0', borderRadius: 8, overflow: 'hidden', border: '1px solid #f0f0f0', fontSize: 14 }}>
        <div style={{ padding: '8px 12px', background: '#fafafa', fontWeight: 600 }}>{t('等级', 'Level')}</div>
        <div style={{ padding: '8px 12px', background: '#fafafa', fontWeight: 600, textAlign: 'right' }}>{t('分润费率', 'Rate')}</div>
        {ps.rates.map((r) => (
          <div key={r.rank} style={{ display: 'contents' }}>
            <div style={{ padding: '8px 12px', borderTop: '1px solid #f0f0f0' }}>{r.level}</div>
            <div style={{ padding: '8px 12px', borderTop: '1px solid #f0f0f0', textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{r.rate}</div>
          </div>
        ))}
      </div>
      {example ? <div style={{ padding: 12, borderRadius: 8, background: '#fffbe6', fontSize: 13, lineHeight: 1.6 }}>{example}</div> : null}
      {ps.peer ? <div style={{ fontSize: 14, lineHeight: 1.7, marginTop: 12 }}>{ps.peer}</div> : null}
    </Section>
  );
}

function Levels() {
  const t = useT();
  const ladder = useApi<{ levels: LadderLevel[] }>('/api/member/levels');
  if (ladder.error) return <LoadError error={ladder.error} onRetry={ladder.reload} />;
  if (!ladder.data) return null;
  return (
    <Section title={t('会员等级', 'Levels')} style={{ paddingBottom: 4 }} testId="rules-levels">
      <Collapse style={{ margin: '0 -16px' }}>
        {ladder.data.levels.map((l) => (
          <Collapse.Panel
            key={String(l.id)}
            title={
              <span style={{ display: 'flex', justifyContent: 'space-between', gap: 8, fontSize: 14 }}>
                <b>{l.name}</b>
                <span style={{ color: 'var(--adm-color-weak)' }}>{t(`分润 ${ppmToPercent(l.rateProfitSharePpm)}`, `Share ${ppmToPercent(l.rateProfitSharePpm)}`)}</span>
              </span>
            }
          >
            <div style={{ fontSize: 13, lineHeight: 1.7 }}>
              <div>{l.upgrade.items.length > 0 ? t(`升级条件：${l.upgrade.summary}`, `To reach: ${l.upgrade.summary}`) : l.rank === 1 ? t('注册即为此等级', 'Everyone starts here') : t('不能通过业绩升级', 'Not reached by performance')}</div>
              <div>{l.forSale && BigInt(l.priceFen) > 0n ? t(`可直接购买：${formatMoney(l.priceFen)}`, `Can be bought: ${formatMoney(l.priceFen)}`) : t('不可购买', 'Not for sale')}</div>
              {l.keep.items.length > 0 ? <div>{t(`保级条件：${l.keep.summary}`, `To keep: ${l.keep.summary}`)}</div> : null}
            </div>
          </Collapse.Panel>
        ))}
      </Collapse>
    </Section>
  );
}

function DividendTiers() {
  const t = useT();
  const d = useApi<{ tiers: string[] }>('/api/member/dividends');
  if (!d.data || d.data.tiers.length === 0) return null;
  return (
    <Section title={t('月度分红', 'Monthly dividends')} testId="rules-dividends">
      {d.data.tiers.map((tier, i) => (
        <Point key={i} n={i + 1}>
          {tier}
        </Point>
      ))}
    </Section>
  );
}

export default function RulesPage() {
  const t = useT();
  const rules = useApi<Rules>('/api/member/rules');
  if (!rules.data) return rules.error ? <LoadError error={rules.error} onRetry={rules.reload} /> : <PageSkeleton rows={4} />;
  const r = rules.data;
  return (
    <PageBody testId="page-rules">
      <RewardRules rules={r} />
      {r.profitShare ? <ProfitShare ps={r.profitShare} example={r.example} /> : null}
      <Levels />
      <DividendTiers />
      {r.limits.length > 0 ? (
        <Section title={t('发放说明', 'How payouts work')} testId="rules-limits">
          {r.limits.map((l, i) => (
            <Point key={i} n={i + 1}>
              {l}
            </Point>
          ))}
        </Section>
      ) : null}
    </PageBody>
  );
}
