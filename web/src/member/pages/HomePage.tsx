import { Button, Grid, ProgressBar, Skeleton, Steps, Tag } from 'antd-mobile';
import { BankcardOutline, BillOutline, GiftOutline, QuestionCircleOutline, RightOutline, TeamOutline, UserAddOutline } from 'antd-mobile-icons';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { formatDate } from '../../shared/format';
import { useT } from '../../shared/i18n';
import { formatMoney, ppmToPercent } from '../../shared/money';
import { useApi } from '../../shared/use-api';
import { useMemberSession } from '../session';
import { nextLevelPercent } from './components/level';
import type { MyLevel, OnboardingView, Wallet } from './components/types';
import { LoadError, PageBody, Section } from './components/ui';
import { WalletCard } from './components/WalletCard';

function greeting(t: (zh: string, en: string) => string): string {
  const h = new Date().getHours();
  if (h < 6) return t('夜深了', 'Good evening');
  if (h < 11) return t('早上好', 'Good morning');
  if (h < 13) return t('中午好', 'Good afternoon');
  if (h < 18) return t('下午好', 'Good afternoon');
  return t('晚上好', 'Good evening');
}

/** Where the member is on the way to active: form → review → entry fee → active. */
function OnboardingCard({ view }: { view: OnboardingView }) {
  const t = useT();
  const navigate = useNavigate();
  const { application: app, entryFeeFen } = view;
  const step = { none: 0, draft: 0, rejected: 0, submitted: 1, approved: 2, fee_pending: 2, active: 3 }[app.state];
  const next: { text: ReactNode; action?: string; to?: string; tone: string } = (() => {
    switch (app.state) {
      case 'none':
      case 'draft':
        return {
          text: t(`完善入驻资料（还差 ${app.missing.length} 项），提交审核`, `Complete your onboarding form (${app.missing.length} items left) and submit it`),
          action: t('去填写', 'Fill in'),
          to: '/onboarding',
          tone: '#1677ff',
        };
      case 'submitted':
        return { text: t(`资料已于 ${formatDate(app.submittedAt)} 提交，正在审核，请耐心等待`, `Submitted on ${formatDate(app.submittedAt)}, under review`), action: t('查看', 'View'), to: '/onboarding', tone: '#1677ff' };
      case 'rejected':
        return {
          text: (
            <>
              {t('审核未通过', 'Not approved')}
              {app.reviewReason ? `：${app.reviewReason}` : ''}
              <br />
              {t('请修改资料后重新提交', 'Please correct the form and submit again')}
            </>
          ),
          action: t('去修改', 'Edit'),
          to: '/onboarding',
          tone: '#ff3141',
        };
      case 'approved':
      case 'fee_pending':
        return { text: t(`审核已通过，缴纳入驻费 ${formatMoney(entryFeeFen)} 后即可开通`, `Approved — pay the entry fee of ${formatMoney(entryFeeFen)} to activate`), action: t('去缴费', 'Pay'), to: '/pay', tone: '#ff8f1f' };
      default:
        return { text: t(`已于 ${formatDate(app.activatedAt)} 完成入驻，邀请好友即可获得奖励`, `Active since ${formatDate(app.activatedAt)} — invite friends to earn rewards`), action: t('邀请好友', 'Invite'), to: '/invite', tone: '#00b578' };
    }
  })();
  return (
    <Section testId="onboarding-card" title={t('入驻进度', 'Onboarding')} extra={<Tag color={app.state === 'active' ? 'success' : app.state === 'rejected' ? 'danger' : 'primary'} fill="outline">{
      { none: t('未开始', 'Not started'), draft: t('填写中', 'In progress'), submitted: t('审核中', 'Under review'), approved: t('待缴费', 'Fee due'), fee_pending: t('待缴费', 'Fee due'), rejected: t('未通过', 'Rejected'), active: t('已入驻', 'Active') }[app.state]
    }</Tag>}>
      <Steps current={step} style={{ '--title-font-size': '12px', '--icon-size': '18px', padding: 0, margin: '0 -8px' }}>
        <Steps.Step title={t('填写资料', 'Form')} status={app.state === 'rejected' ? 'error' : undefined} />
        <Steps.Step title={t('资料审核', 'Review')} />
        <Steps.Step title={t('缴纳费用', 'Entry fee')} />
        <Steps.Step title={t('入驻完成', 'Active')} />
      </Steps>
      <div data-testid="onboarding-next" data-state={app.state} style={{ display: 'flex', alignItems: 'center', gap: 12, marginTop: 12, padding: 12, borderRadius: 8, background: '#f7f8fa', borderLeft: `3px solid ${next.tone}` }}>
        <div style={{ flex: 1, minWidth: 0, fontSize: 14, lineHeight: 1.5 }}>{next.text}</div>
        {next.to ? (
          <Button size="small" color="primary" fill={app.state === 'active' ? 'outline' : 'solid'} onClick={() => navigate(next.to!)} data-testid="onboarding-next-action" style={{ flexShrink: 0 }}>
            {next.action}
          </Button>
        ) : null}
      </div>
    </Section>
  );
}

function LevelCard({ level }: { level: MyLevel }) {
  const t = useT();
  const navigate = useNavigate();
  const next = level.next;
  const percent = next ? nextLevelPercent(next) : 100;
  return (
    <Section
      testId="level-card"
      title={t('我的等级', 'My level')}
      extra={
        <a onClick={() => navigate('/level')} style={{ color: 'var(--adm-color-weak)', display: 'flex', alignItems: 'center' }}>
          {t('详情', 'Details')}
          <RightOutline />
        </a>
      }
    >
      <div style={{ display: 'flex', alignItems: 'baseline', gap: 8, flexWrap: 'wrap' }}>
        <span data-testid="level-name" style={{ fontSize: 20, fontWeight: 700, color: '#d48806' }}>{level.level.name}</span>
        <span style={{ fontSize: 13, color: 'var(--adm-color-weak)' }}>{t(`分润费率 ${ppmToPercent(level.level.rateProfitSharePpm)}`, `Profit share ${ppmToPercent(level.level.rateProfitSharePpm)}`)}</span>
      </div>
      {next ? (
        <>
          <ProgressBar percent={percent} text style={{ marginTop: 12, '--track-width': '8px' }} />
          <div style={{ fontSize: 13, color: 'var(--adm-color-weak)', marginTop: 6 }}>
            {next.reached
              ? t(`已达成「${next.level.name}」升级条件，将在下次评估时升级`, `You qualify for ${next.level.name}; the upgrade happens at the next evaluation`)
              : !next.byPerformance
                ? t(`「${next.level.name}」需购买开通`, `${next.level.name} can only be bought`)
                : next.mode === 'any'
                  ? t(`距「${next.level.name}」：满足任一条件即可升级`, `To ${next.level.name}: meet any one condition`)
                  : t(`距「${next.level.name}」：已满足 ${next.conditions.filter((c) => c.holds).length}/${next.conditions.length} 项条件`, `To ${next.level.name}: ${next.conditions.filter((c) => c.holds).length} of ${next.conditions.length} conditions met`)}
          </div>
        </>
      ) : (
        <div style={{ fontSize: 13, color: 'var(--adm-color-weak)', marginTop: 8 }}>{t('您已是最高等级', 'You are at the top level')}</div>
      )}
    </Section>
  );
}

function Shortcuts() {
  const t = useT();
  const navigate = useNavigate();
  const items = [
    { key: 'invite', to: '/invite', icon: <UserAddOutline />, color: '#1677ff', text: t('邀请好友', 'Invite') },
    { key: 'team', to: '/team', icon: <TeamOutline />, color: '#00b578', text: t('我的团队', 'My team') },
    { key: 'earnings', to: '/earnings', icon: <BillOutline />, color: '#ff8f1f', text: t('收益明细', 'Earnings') },
    { key: 'rules', to: '/rules', icon: <QuestionCircleOutline />, color: '#7c4dff', text: t('奖励规则', 'Rules') },
    { key: 'level', to: '/level', icon: <GiftOutline />, color: '#d48806', text: t('我的等级', 'My level') },
    { key: 'withdraw', to: '/withdraw', icon: <BankcardOutline />, color: '#ff3141', text: t('提现', 'Withdraw') },
  ];
  return (
    <Section testId="shortcuts" style={{ padding: '16px 8px' }}>
      <Grid columns={3} gap={[0, 16]}>
        {items.map((i) => (
          <Grid.Item key={i.key} onClick={() => navigate(i.to)} data-testid={`shortcut-${i.key}`} style={{ textAlign: 'center', cursor: 'pointer' }}>
            <div style={{ width: 44, height: 44, margin: '0 auto', borderRadius: 12, background: `${i.color}14`, color: i.color, fontSize: 24, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
              {i.icon}
            </div>
            <div style={{ fontSize: 13, marginTop: 6 }}>{i.text}</div>
          </Grid.Item>
        ))}
      </Grid>
    </Section>
  );
}

function CardSkeleton() {
  return (
    <Section>
      <Skeleton.Title animated />
      <Skeleton.Paragraph lineCount={2} animated />
    </Section>
  );
}

export default function HomePage() {
  const t = useT();
  const { me } = useMemberSession();
  const onboarding = useApi<OnboardingView>('/api/member/onboarding');
  const wallet = useApi<Wallet>('/api/member/wallet');
  const level = useApi<MyLevel>('/api/member/level');
  const name = typeof me?.displayName === 'string' ? me.displayName : (me?.name ?? '');
  return (
    <PageBody testId="page-home">
      <div style={{ padding: '8px 4px 0' }}>
        <div style={{ fontSize: 20, fontWeight: 700, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} data-testid="greeting">
          {t(`${greeting(t)}，${name}`, `${greeting(t)}, ${name}`)}
        </div>
        <div style={{ fontSize: 13, color: 'var(--adm-color-weak)', marginTop: 4 }}>{t('欢迎来到商联', 'Welcome to Shanglian')}</div>
      </div>
      {onboarding.data ? (
        <OnboardingCard view={onboarding.data} />
      ) : onboarding.error ? (
        <Section>
          <LoadError error={onboarding.error} onRetry={onboarding.reload} />
        </Section>
      ) : (
        <CardSkeleton />
      )}
      <WalletCard wallet={wallet} />
      {level.data ? (
        <LevelCard level={level.data} />
      ) : level.error ? (
        <Section>
          <LoadError error={level.error} onRetry={level.reload} />
        </Section>
      ) : (
        <CardSkeleton />
      )}
      <Shortcuts />
    </PageBody>
  );
}
