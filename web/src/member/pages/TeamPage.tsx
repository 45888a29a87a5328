import { Button, Empty, List, SearchBar, Skeleton, Tabs, Tag } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { formatDate } from '../../shared/format';
import { useT } from '../../shared/i18n';
import { formatMoney } from '../../shared/money';
import { useApi } from '../../shared/use-api';
import { MoreLoader, useInfiniteList } from './components/infinite';
import { memberStatusLabel } from './components/labels';
import type { PerformanceMonth, TeamMember, TeamSummary } from './components/types';
import { LoadError, PageBody, Section, Stat } from './components/ui';

function generationName(t: (zh: string, en: string) => string, g: number): string {
  if (g === 1) return t('直推', 'Direct');
  if (g === 2) return t('间推', 'Indirect');
  return t(`第${g}代`, `Gen ${g}`);
}

function Summary({ summary }: { summary: ReturnType<typeof useApi<TeamSummary>> }) {
  const t = useT();
  const perf = useApi<{ months: PerformanceMonth[] }>('/api/member/performance', { months: 2 });
  const [thisMonth, lastMonth] = perf.data?.months ?? [];
  const s = summary.data;
  if (summary.error && !s) {
    return (
      <Section>
        <LoadError error={summary.error} onRetry={summary.reload} />
      </Section>
    );
  }
  return (
    <div data-testid="team-summary" style={{ borderRadius: 12, padding: 16, color: '#fff', background: 'linear-gradient(135deg, #00b578 0%, #36cfc9 100%)' }}>
      <div style={{ display: 'flex' }}>
        <Stat light label={t('团队总人数', 'Team size')} value={s ? s.total : '—'} testId="team-total" />
        <Stat light label={t('直推', 'Direct')} value={s ? s.direct : '—'} testId="team-direct" />
        <Stat light label={t('间推', 'Indirect')} value={s ? s.indirect : '—'} testId="team-indirect" />
      </div>
      <div style={{ height: 1, background: 'rgba(255,255,255,.3)', margin: '14px 0' }} />
      <div style={{ display: 'flex' }}>
        <Stat light label={t(`本月团队业绩${thisMonth ? `（${thisMonth.month}）` : ''}`, `Team sales this month`)} value={thisMonth ? formatMoney(thisMonth.teamNetFen) : '—'} testId="team-perf-this" />
        <Stat light label={t('上月团队业绩', 'Team sales last month')} value={lastMonth ? formatMoney(lastMonth.teamNetFen) : '—'} testId="team-perf-last" />
      </div>
    </div>
  );
}

function MemberRow({ m }: { m: TeamMember }) {
  const t = useT();
  const status = memberStatusLabel(t, m.status);
  const initial = [...(m.displayName || '?')][0];
  return (
    <List.Item
      data-testid="team-member"
      prefix={
        <div style={{ width: 40, height: 40, borderRadius: 20, background: '#e6f4ff', color: '#1677ff', display: 'flex', alignItems: 'center', justifyContent: 'center', fontWeight: 600 }}>{initial}</div>
      }
      description={
        <span>
          {m.phone} · {t(`${formatDate(m.boundAt)} 加入`, `joined ${formatDate(m.boundAt)}`)}
          {m.directCount > 0 ? t(` · 直推 ${m.directCount} 人`, ` · ${m.directCount} direct`) : ''}
        </span>
      }
      extra={
        <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-end', gap: 4 }}>
          <Tag color="primary" fill="outline">
            {generationName(t, m.generation)}
          </Tag>
          {m.status !== 'active' ? <Tag color={status.color}>{status.text}</Tag> : null}
        </div>
      }
    >
      <span style={{ display: 'flex', alignItems: 'center', gap: 6, minWidth: 0 }}>
        <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{m.displayName}</span>
        {m.level ? (
          <Tag color="warning" fill="outline" style={{ flexShrink: 0 }} data-testid="team-member-level">
            {m.level.name}
          </Tag>
        ) : null}
      </span>
    </List.Item>
  );
}

function Members({ generation, q }: { generation: number | undefined; q: string }) {
  const t = useT();
  const navigate = useNavigate();
  const list = useInfiniteList<TeamMember>('/api/member/team/members', { generation, q: q || undefined }, 20);
  return (
    <>
      {list.loaded && list.items.length === 0 ? (
        <div style={{ padding: '24px 0', textAlign: 'center' }}>
          <Empty description={q ? t('没有找到匹配的成员', 'No member matches') : t('还没有成员，快去邀请好友吧', 'No members yet — invite some friends')} />
          {q ? null : (
            <Button color="primary" size="small" onClick={() => navigate('/invite')} data-testid="team-invite">
              {t('邀请好友', 'Invite friends')}
            </Button>
          )}
        </div>
      ) : null}
      {!list.loaded && list.items.length === 0 ? (
        <div style={{ padding: 16 }}>
          <Skeleton.Paragraph lineCount={5} animated />
        </div>
      ) : null}
      <List style={{ '--border-top': 'none', '--border-bottom': 'none' }}>
        {list.items.map((m) => (
          <MemberRow key={m.memberId} m={m} />
        ))}
      </List>
      <MoreLoader loadMore={list.loadMore} hasMore={list.hasMore} count={list.items.length} />
    </>
  );
}

export default function TeamPage() {
  const t = useT();
  const summary = useApi<TeamSummary>('/api/member/team/summary');
  const [tab, setTab] = useState('all');
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  // Search after the member stops typing, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 350);
    return () => clearTimeout(timer);
  }, [typed]);
  const generations = summary.data?.perGeneration.filter((g) => g.count > 0) ?? [];
  return (
    <PageBody testId="page-team">
      <Summary summary={summary} />
      <Section style={{ padding: '4px 0 0' }}>
        <Tabs activeKey={tab} onChange={setTab} data-testid="team-tabs" style={{ '--title-font-size': '14px' }}>
          <Tabs.Tab key="all" title={t(`全部${summary.data ? ` ${summary.data.total}` : ''}`, `All${summary.data ? ` ${summary.data.total}` : ''}`)} />
          {generations.map((g) => (
            <Tabs.Tab key={String(g.generation)} title={`${generationName(t, g.generation)} ${g.count}`} />
          ))}
        </Tabs>
        <div style={{ padding: '8px 12px' }}>
          <SearchBar value={typed} onChange={setTyped} placeholder={t('搜索姓名或手机号', 'Search by name or phone')} data-testid="team-search" maxLength={40} />
        </div>
        <Members generation={tab === 'all' ? undefined : Number(tab)} q={q} />
      </Section>
    </PageBody>
  );
}
