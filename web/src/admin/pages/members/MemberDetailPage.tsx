import { LockOutlined } from '@ant-design/icons';
import { Badge, Breadcrumb, Card, Col, Divider, Result, Row, Skeleton, Space, Statistic, Tabs, Tag, Typography } from 'antd';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../../shared/api';
import { formatDateTime, maskPhone } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert } from '../../components';
import { stateColor, stateLabel, type ApplicationDetail } from '../onboarding/model';
import { MemberActions } from './actions';
import { statusColor, statusLabel, type AdminMember, type MemberLevel, type TreeView, type Wallet } from './model';
import { DownlineTree, TeamStats, UplineChain } from './network';
import { LevelTag, MemberAvatar } from './parts';
import { BindingsTab, LevelTab, PerformanceTab, ProfileTab, RiskTab, type Onboarding } from './tabs-info';
import { RewardsTab, StatementTab, WalletTab } from './tabs-money';

const is404 = (e: unknown) => e instanceof ApiError && e.status === 404;

function Header({ member, level, tree, wallet, onboarding, reload }: {
  member: AdminMember;
  level: MemberLevel | undefined;
  tree: TreeView | undefined;
  wallet: Wallet | undefined;
  onboarding: Onboarding;
  reload: () => void;
}) {
  const t = useT();
  const parent = tree?.upline.at(-1);
  const figure = (v: number | undefined) => (v === undefined ? '—' : v);
  return (
    <Card data-testid="member-header" style={{ marginBottom: 16 }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: 16 }}>
        <div style={{ display: 'flex', gap: 16, minWidth: 0, flex: '1 1 auto' }}>
          <MemberAvatar name={member.displayName} size={64} />
          <div style={{ minWidth: 0 }}>
            <Space size={8} wrap align="center">
              <Typography.Title level={4} style={{ margin: 0 }} data-testid="member-name">
                {member.displayName}
              </Typography.Title>
              <Tag color={statusColor(member.status)} data-testid="member-status">{statusLabel(t, member.status)}</Tag>
              {level ? <LevelTag level={level.level} withRate /> : null}
              {onboarding !== undefined ? (
                <Tag color={stateColor(onboarding?.application.state ?? 'none')}>
                  {t('入驻：', 'Onboarding: ')}
                  {stateLabel(t, onboarding?.application.state ?? 'none')}
                </Tag>
              ) : null}
              {member.lockedUntil ? <Tag icon={<LockOutlined />} color="red">{t('登录锁定', 'Login locked')}</Tag> : null}
            </Space>
            <Space split={<Divider type="vertical" />} size={4} wrap style={{ marginTop: 8, color: 'rgba(0,0,0,0.55)' }}>
              <span>#{member.id}</span>
              <span style={{ fontVariantNumeric: 'tabular-nums' }}>{maskPhone(member.phone)}</span>
              <span>{t(`注册于 ${formatDateTime(member.createdAt)}`, `Registered ${formatDateTime(member.createdAt)}`)}</span>
              {tree ? (
                parent ? (
                  <span>
                    {t('上级：', 'Inviter: ')}
                    <Link to={`/members/${parent.memberId}`}>{parent.displayName}</Link>
                  </span>
                ) : (
                  <span>{t('顶层会员', 'Top of the network')}</span>
                )
              ) : null}
            </Space>
          </div>
        </div>
        <div style={{ flex: 'none' }}>
          <MemberActions member={member} level={level} tree={tree} onChanged={reload} />
        </div>
      </div>
      <Divider style={{ margin: '20px 0 16px' }} />
      <Row gutter={16}>
        <Col xs={12} md={8} xl={4}><Statistic title={t('直推人数', 'Direct')} value={figure(tree?.team.direct)} /></Col>
        <Col xs={12} md={8} xl={4}><Statistic title={t('团队总人数', 'Team size')} value={figure(tree?.team.total)} /></Col>
        <Col xs={12} md={8} xl={4}><Statistic title={t('所在层级', 'Depth')} value={tree ? t(`第 ${tree.depth} 层`, `${tree.depth}`) : '—'} /></Col>
        <Col xs={12} md={8} xl={4}><Statistic title={t('可用余额', 'Available')} value={wallet ? formatMoney(wallet.availableFen) : '—'} valueStyle={{ color: wallet && wallet.availableFen !== '0' ? '#389e0d' : undefined }} /></Col>
        <Col xs={12} md={8} xl={4}><Statistic title={t('冻结余额', 'Frozen')} value={wallet ? formatMoney(wallet.frozenFen) : '—'} /></Col>
        <Col xs={12} md={8} xl={4}><Statistic title={t('提现中', 'Withdrawing')} value={wallet ? formatMoney(wallet.withdrawingFen) : '—'} /></Col>
      </Row>
    </Card>
  );
}

function MemberDetail({ id }: { id: number }) {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'profile';
  const member = useApi<AdminMember>(`/api/admin/members/${id}`);
  const level = useApi<MemberLevel>(`/api/admin/members/${id}/level`);
  const tree = useApi<TreeView>(`/api/admin/members/${id}/tree`);
  const wallet = useApi<Wallet>(`/api/admin/members/${id}/wallet`);
  const application = useApi<ApplicationDetail>(`/api/admin/onboarding/${id}`);
  // 404 here only means the member never started an application.
  const onboarding: Onboarding = application.data ?? (is404(application.error) ? null : undefined);

  if (is404(member.error)) {
    return <Result status="404" title={t('没有找到该会员', 'Member not found')} extra={<Link to="/members">{t('返回会员列表', 'Back to members')}</Link>} />;
  }
  const m = member.data;
  const reload = () => {
    member.reload();
    level.reload();
    tree.reload();
  };
  const flagCount = onboarding?.riskFlags.length ?? 0;

  return (
    <>
      <Breadcrumb style={{ marginBottom: 12 }} items={[{ title: <Link to="/members">{t('会员管理', 'Members')}</Link> }, { title: m?.displayName ?? `#${id}` }]} />
      <ErrorAlert error={member.error} onRetry={member.reload} />
      {!m ? (
        member.error ? null : <Card><Skeleton avatar active paragraph={{ rows: 4 }} /></Card>
      ) : (
        <>
          <Header member={m} level={level.data} tree={tree.data} wallet={wallet.data} onboarding={onboarding} reload={reload} />
          <Card styles={{ body: { paddingTop: 4 } }}>
            <Tabs
              data-testid="member-tabs"
              activeKey={tab}
              onChange={(key) => setParams(key === 'profile' ? {} : { tab: key }, { replace: true })}
              items={[
                { key: 'profile', label: t('基本资料', 'Profile'), children: <ProfileTab member={m} level={level.data} onboarding={onboarding} /> },
                {
                  key: 'network',
                  label: t('团队关系', 'Network'),
                  children: tree.data ? (
                    <Row gutter={24}>
                      <Col xs={24} xl={8}>
                        <Card size="small" title={t('上级链路', 'Upline')} style={{ marginBottom: 16 }}>
                          <UplineChain member={m} tree={tree.data} />
                        </Card>
                        <Card size="small" title={t('团队规模', 'Team')}>
                          <TeamStats team={tree.data.team} />
                        </Card>
                      </Col>
                      <Col xs={24} xl={16}>
                        <Card size="small" title={t('下级团队', 'Downline')}>
                          <DownlineTree member={m} tree={tree.data} />
                        </Card>
                      </Col>
                    </Row>
                  ) : (
                    <>
                      <ErrorAlert error={tree.error} onRetry={tree.reload} />
                      {tree.error ? null : <Skeleton active />}
                    </>
                  ),
                },
                { key: 'level', label: t('等级', 'Level'), children: <LevelTab memberId={id} level={level.data} /> },
                { key: 'bindings', label: t('绑定记录', 'Bindings'), children: <BindingsTab memberId={id} /> },
                {
                  key: 'risk',
                  label: (
                    <Space size={6}>
                      {t('风控', 'Risk')}
                      {flagCount > 0 ? <Badge count={flagCount} size="small" /> : null}
                    </Space>
                  ),
                  children: <RiskTab member={m} onboarding={onboarding} />,
                },
                { key: 'wallet', label: t('钱包余额', 'Wallet'), children: <WalletTab memberId={id} /> },
                { key: 'statement', label: t('资金明细', 'Statement'), children: <StatementTab memberId={id} /> },
                { key: 'rewards', label: t('奖励明细', 'Rewards'), children: <RewardsTab memberId={id} /> },
                { key: 'performance', label: t('业绩', 'Performance'), children: <PerformanceTab memberId={id} /> },
              ]}
            />
          </Card>
        </>
      )}
    </>
  );
}

export default function MemberDetailPage() {
  const t = useT();
  const id = Number(useParams().id);
  const valid = Number.isSafeInteger(id) && id > 0;
  return (
    <div data-testid="page-member-detail">
      {valid ? (
        // Keyed by id: moving from one member to another (tree, upline links) starts from a clean slate.
        <MemberDetail key={id} id={id} />
      ) : (
        <Result status="404" title={t('没有找到该会员', 'Member not found')} extra={<Link to="/members">{t('返回会员列表', 'Back to members')}</Link>} />
      )}
    </div>
  );
}
