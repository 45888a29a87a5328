import { CheckCircleFilled, ClockCircleOutlined, LockOutlined } from '@ant-design/icons';
import { Alert, Card, Col, Descriptions, Empty, Progress, Row, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router-dom';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { formatMoney, ppmToPercent } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert, Money } from '../../components';
import { actorLabel, fieldOrder, stateColor, stateLabel, type ApplicationDetail } from '../onboarding/model';
import { RiskFlagList, RiskTags } from '../onboarding/RiskFlags';
import { causeColor, causeLabel, statusColor, statusLabel, viaLabel, type AdminMember, type Binding, type LevelChange, type MemberLevel, type PerformanceMonth } from './model';
import { LevelTag, MemberName } from './parts';

/** The member's application: loaded, absent (never started), or still loading. */
export type Onboarding = ApplicationDetail | null | undefined;

export function ProfileTab({ member, level, onboarding }: { member: AdminMember; level: MemberLevel | undefined; onboarding: Onboarding }) {
  const t = useT();
  const app = onboarding?.application;
  const fields = app?.fields ?? {};
  const pick = (key: string) => fields[key] ?? '—';
  const label = (key: string) => {
    const f = fieldOrder.find((x) => x.key === key)!;
    return t(f.zh, f.en);
  };
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Descriptions
        data-testid="member-profile"
        title={t('账号', 'Account')}
        bordered
        size="small"
        column={{ xs: 1, xl: 2 }}
        styles={{ label: { width: 140 } }}
        items={[
          { key: 'id', label: t('会员编号', 'Member ID'), children: `#${member.id}` },
          { key: 'name', label: t('昵称', 'Name'), children: member.displayName },
          { key: 'phone', label: t('手机号', 'Phone'), children: <Typography.Text copyable>{member.phone}</Typography.Text> },
          { key: 'status', label: t('账号状态', 'Status'), children: <Tag color={statusColor(member.status)}>{statusLabel(t, member.status)}</Tag> },
          { key: 'created', label: t('注册时间', 'Registered'), children: formatDateTime(member.createdAt) },
          {
            key: 'lock',
            label: t('登录锁定', 'Login lock'),
            children: member.lockedUntil ? (
              <Tag icon={<LockOutlined />} color="red">{t(`锁定至 ${formatDateTime(member.lockedUntil)}`, `Until ${formatDateTime(member.lockedUntil)}`)}</Tag>
            ) : (
              t('未锁定', 'Not locked')
            ),
          },
          { key: 'ip', label: t('注册 IP', 'Registration IP'), children: member.registrationIp ? <Typography.Text copyable>{member.registrationIp}</Typography.Text> : '—' },
          { key: 'device', label: t('设备标识', 'Device ID'), children: member.registrationDeviceId ? <Typography.Text copyable>{member.registrationDeviceId}</Typography.Text> : '—' },
          { key: 'level', label: t('当前等级', 'Level'), children: level ? <LevelTag level={level.level} withRate /> : '—' },
          { key: 'since', label: t('等级生效', 'Level since'), children: level?.since ? formatDateTime(level.since) : '—' },
        ]}
      />
      <Descriptions
        title={t('商户资料', 'Business')}
        extra={app ? <Link to={`/onboarding/${member.id}`}>{t('查看入驻申请', 'Open the application')}</Link> : null}
        bordered
        size="small"
        column={{ xs: 1, xl: 2 }}
        styles={{ label: { width: 140 } }}
        items={
          app
            ? [
                { key: 'state', label: t('入驻状态', 'Onboarding'), children: <Tag color={stateColor(app.state)}>{stateLabel(t, app.state)}</Tag> },
                { key: 'activated', label: t('入驻时间', 'Activated'), children: formatDateTime(app.activatedAt) },
                { key: 'businessName', label: label('businessName'), children: pick('businessName') },
                { key: 'category', label: label('category'), children: pick('category') },
                { key: 'licenceNo', label: label('licenceNo'), children: pick('licenceNo') },
                { key: 'legalName', label: label('legalName'), children: pick('legalName') },
                { key: 'address', label: label('address'), children: pick('address'), span: 'filled' as const },
              ]
            : [{ key: 'state', label: t('入驻状态', 'Onboarding'), children: onboarding === null ? <Tag>{stateLabel(t, 'none')}</Tag> : '…' }]
        }
      />
    </Space>
  );
}

function conditionFigure(t: (zh: string, en: string) => string, unit: 'fen' | 'members', v: string) {
  return unit === 'fen' ? formatMoney(v) : t(`${v} 人`, `${v}`);
}

export function LevelTab({ memberId, level }: { memberId: number; level: MemberLevel | undefined }) {
  const t = useT();
  const history = useCursorPages<LevelChange>(`/api/admin/members/${memberId}/level/history`, {}, 10);
  const columns: ColumnsType<LevelChange> = [
    { title: t('时间', 'When'), dataIndex: 'at', width: 150, render: (v: string) => formatDateTime(v) },
    {
      title: t('变更', 'Change'),
      key: 'change',
      render: (_, h) => (
        <Space size={6}>
          <span>{h.from?.name ?? '—'}</span>
          <span>→</span>
          <Typography.Text strong>{h.to.name}</Typography.Text>
        </Space>
      ),
    },
    { title: t('原因', 'Cause'), dataIndex: 'cause', width: 110, render: (c: string) => <Tag color={causeColor(c)}>{causeLabel(t, c)}</Tag> },
    { title: t('操作人', 'By'), key: 'actor', width: 110, render: (_, h) => actorLabel(t, h.actorKind, h.actorId ?? null) },
    {
      title: t('说明', 'Note'),
      key: 'reason',
      render: (_, h) => h.reason ?? (h.orderId ? t(`订单 #${h.orderId}`, `Order #${h.orderId}`) : '—'),
    },
  ];
  const next = level?.next;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('当前等级', 'Current level')} style={{ height: '100%' }} loading={!level}>
            {level ? (
              <Descriptions
                size="small"
                column={1}
                items={[
                  { key: 'l', label: t('等级', 'Level'), children: <LevelTag level={level.level} /> },
                  { key: 'r', label: t('分润比例', 'Profit share'), children: ppmToPercent(level.level.rateProfitSharePpm) },
                  { key: 's', label: t('生效时间', 'Since'), children: level.since ? formatDateTime(level.since) : t('初始等级', 'Starting level') },
                  { key: 'c', label: t('变更原因', 'Cause'), children: level.cause ? <Tag color={causeColor(level.cause)}>{causeLabel(t, level.cause)}</Tag> : '—' },
                ]}
              />
            ) : null}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card
            size="small"
            title={next ? t(`升级进度 · ${next.level.name}`, `Towards ${next.level.name}`) : t('升级进度', 'Progress')}
            extra={next?.reached ? <Tag color="success">{t('已达成，待下次评估', 'Reached; upgrades at next check')}</Tag> : null}
            style={{ height: '100%' }}
            loading={!level}
          >
            {!next ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('已是最高等级', 'Top of the ladder')} />
            ) : !next.byPerformance ? (
              <Typography.Text type="secondary">{t(`「${next.level.name}」只能购买，不能通过业绩升级（价格 ${formatMoney(next.level.priceFen)}）`, `${next.level.name} can only be bought (${formatMoney(next.level.priceFen)})`)}</Typography.Text>
            ) : (
              <Space direction="vertical" style={{ width: '100%' }} size={10}>
                <Typography.Text type="secondary">{next.summary}</Typography.Text>
                {next.conditions.map((c, i) => {
                  const target = Number(c.target);
                  const pct = target > 0 ? Math.min(100, (Number(c.current) / target) * 100) : 100;
                  return (
                    <div key={i}>
                      <Space size={6}>
                        {c.holds ? <CheckCircleFilled style={{ color: '#52c41a' }} /> : <ClockCircleOutlined style={{ color: '#faad14' }} />}
                        <Typography.Text>{c.text}</Typography.Text>
                      </Space>
                      <div style={{ display: 'flex', alignItems: 'center', gap: 8, paddingInlineStart: 20 }}>
                        <Progress percent={pct} showInfo={false} size="small" status={c.holds ? 'success' : 'active'} style={{ flex: 1, margin: 0 }} />
                        <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
                          {conditionFigure(t, c.unit, c.current)} / {conditionFigure(t, c.unit, c.target)}
                        </Typography.Text>
                      </div>
                    </div>
                  );
                })}
              </Space>
            )}
          </Card>
        </Col>
      </Row>
      <div>
        <Typography.Title level={5}>{t('等级变更记录', 'Level history')}</Typography.Title>
        <ErrorAlert error={history.error} onRetry={history.reload} />
        <Table<LevelChange> data-testid="level-history" rowKey="id" size="small" columns={columns} dataSource={history.items} loading={history.loading} pagination={false} locale={{ emptyText: <EmptyState text={t('还没有等级变更', 'No level changes yet')} /> }} />
        <CursorPager pages={history} />
      </div>
    </Space>
  );
}

export function BindingsTab({ memberId }: { memberId: number }) {
  const t = useT();
  const loaded = useApi<{ items: Binding[] }>(`/api/admin/members/${memberId}/bindings`);
  const items = [...(loaded.data?.items ?? [])].reverse();
  const columns: ColumnsType<Binding> = [
    { title: t('时间', 'When'), dataIndex: 'at', width: 150, render: (v: string) => formatDateTime(v) },
    { title: t('原上级', 'From'), dataIndex: 'fromParentId', render: (id: number | null) => <MemberName id={id} /> },
    { title: t('新上级', 'To'), dataIndex: 'toParentId', render: (id: number | null) => <MemberName id={id} /> },
    { title: t('方式', 'How'), dataIndex: 'via', width: 150, render: (v: string) => <Tag>{viaLabel(t, v)}</Tag> },
    {
      title: t('操作人', 'By'),
      key: 'actor',
      width: 110,
      render: (_, b) => (b.actorKind === 'member' && b.actorId === memberId ? t('会员本人', 'The member') : actorLabel(t, b.actorKind, b.actorId)),
    },
    { title: t('原因', 'Reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
  ];
  return (
    <>
      <ErrorAlert error={loaded.error} onRetry={loaded.reload} />
      <Table<Binding>
        data-testid="binding-history"
        rowKey={(b) => `${b.at}-${b.toParentId}`}
        size="small"
        columns={columns}
        dataSource={items}
        loading={loaded.loading}
        pagination={items.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
        locale={{ emptyText: <EmptyState text={t('没有绑定记录（注册时未填写邀请人）', 'No bindings (registered without an inviter)')} /> }}
      />
    </>
  );
}

export function RiskTab({ member, onboarding }: { member: AdminMember; onboarding: Onboarding }) {
  const t = useT();
  const app = onboarding?.application;
  const earlier = (onboarding?.revisions ?? []).filter((r) => r.revision !== app?.revision && r.riskFlags.length > 0);
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      {member.lockedUntil ? (
        <Alert type="error" showIcon icon={<LockOutlined />} message={t(`登录已锁定至 ${formatDateTime(member.lockedUntil)}（多次密码错误）`, `Login locked until ${formatDateTime(member.lockedUntil)} (repeated wrong passwords)`)} />
      ) : null}
      {member.status === 'suspended' ? <Alert type="warning" showIcon message={t('账号已暂停：会员无法登录，进行中的会话已结束', 'Suspended: the member cannot sign in')} /> : null}
      <Card
        size="small"
        title={t('入驻风控标记', 'Onboarding risk flags')}
        extra={app ? <Link to={`/onboarding/${member.id}`}>{t('查看入驻申请', 'Open the application')}</Link> : null}
      >
        {onboarding === undefined ? (
          <Typography.Text type="secondary">…</Typography.Text>
        ) : onboarding === null ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('尚未提交入驻申请，没有风控检查结果', 'No application, so no risk checks yet')} />
        ) : (
          <RiskFlagList flags={onboarding.riskFlags} memberId={member.id} />
        )}
      </Card>
      {earlier.length > 0 ? (
        <Card size="small" title={t('历次提交的风控标记', 'Flags on earlier submissions')}>
          <Space direction="vertical" size={8}>
            {earlier.map((r) => (
              <Space key={r.revision} size={8} wrap>
                <Typography.Text strong>{t(`第 ${r.revision} 次提交`, `Submission ${r.revision}`)}</Typography.Text>
                <Typography.Text type="secondary">{formatDateTime(r.submittedAt)}</Typography.Text>
                {r.decision ? <Tag color={stateColor(r.decision)}>{stateLabel(t, r.decision)}</Tag> : null}
                <RiskTags codes={[...new Set(r.riskFlags.map((f) => f.code))]} />
              </Space>
            ))}
          </Space>
        </Card>
      ) : null}
    </Space>
  );
}

export function PerformanceTab({ memberId }: { memberId: number }) {
  const t = useT();
  const loaded = useApi<{ timezone: string; months: PerformanceMonth[] }>(`/api/admin/members/${memberId}/performance`, { months: 12 });
  const increment = (v: string | null) => (v === null ? '—' : <Money fen={v} />);
  const columns: ColumnsType<PerformanceMonth> = [
    { title: t('月份', 'Month'), dataIndex: 'month', width: 90, fixed: 'left' },
    { title: t('个人净业绩', 'Personal (net)'), dataIndex: 'personalNetFen', align: 'right', render: (v: string) => <Money fen={v} strong /> },
    { title: t('成交笔数', 'Sales'), dataIndex: 'personalSales', align: 'right', width: 90 },
    { title: t('退款', 'Refunded'), dataIndex: 'personalRefundedFen', align: 'right', render: (v: string) => <Money fen={v} /> },
    { title: t('团队业绩', 'Team'), dataIndex: 'teamNetFen', align: 'right', render: (v: string) => <Money fen={v} strong /> },
    { title: t('团队（含本人）', 'Team incl. self'), dataIndex: 'teamWithSelfFen', align: 'right', render: (v: string) => <Money fen={v} /> },
    { title: t('活跃下级', 'Active downline'), dataIndex: 'teamActive', align: 'right', width: 100 },
    { title: t('个人环比', 'Personal Δ'), dataIndex: 'personalIncrementFen', align: 'right', render: increment },
    { title: t('团队环比', 'Team Δ'), dataIndex: 'teamIncrementFen', align: 'right', render: increment },
  ];
  return (
    <>
      <ErrorAlert error={loaded.error} onRetry={loaded.reload} />
      <Table<PerformanceMonth>
        data-testid="member-performance"
        rowKey="month"
        size="small"
        columns={columns}
        dataSource={loaded.data?.months ?? []}
        loading={loaded.loading}
        pagination={false}
        scroll={{ x: 960 }}
        locale={{ emptyText: <EmptyState /> }}
      />
      {loaded.data ? (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8, fontSize: 12 }}>
          {t(`按 ${loaded.data.timezone} 时区的自然月统计；业绩为已结算交易扣除退款后的净额。`, `Calendar months in ${loaded.data.timezone}; settled sales net of refunds.`)}
        </Typography.Text>
      ) : null}
    </>
  );
}
