import { SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Empty, InputNumber, Skeleton, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert, Money } from '../../components';
import { triggerLabel } from '../members/model';

/** A stored engine input person: [memberId, levelId, levelName, rank, ratePpm, active (1/0), performance?]. */
type PersonJson = [number, number, string, number, number, number, ...unknown[]];

interface Verdict {
  code: string;
  holds: boolean;
  text: string;
}
interface Decision {
  source: { kind: 'rule'; ruleId: string; ruleName: string } | { kind: 'profit_share' } | { kind: 'peer_bonus' };
  memberId: number | null;
  generation: number | null;
  paid: boolean;
  reason: string;
  text: string;
  conditions: Verdict[];
  amountFen: string;
}
interface Replay {
  eventId: number;
  kind: string;
  subject: string;
  memberId: number;
  baseFen: string;
  occurredAt: string;
  version: number;
  totalFen: string;
  clawedBackAt: string | null;
  consistent: boolean;
  result: { payouts: { memberId: number; amountFen: string }[] } | null;
  snapshot: { member: PersonJson; ancestors: PersonJson[] } | null;
}
interface Why {
  eventId: number;
  memberId: number;
  position: string;
  decisions: Decision[];
}

const positions = ['直推', '间推', '第3代'];

/**
 * 奖励解释: "why was member X (not) paid for event Y". The event is replayed
 * from its stored inputs with the rule set version that paid it; every
 * member of its upline can be picked, and every rule's verdict about that
 * member is listed with the conditions that held or failed. Event and member
 * are in the URL (?tab=why&eventId=…&memberId=…), so a member's reward line
 * links straight here.
 */
export function WhyTab() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const eventId = Number(params.get('eventId')) || null;
  const memberId = Number(params.get('memberId')) || null;
  const [eventInput, setEventInput] = useState<number | null>(eventId);
  const [memberInput, setMemberInput] = useState<number | null>(memberId);
  useEffect(() => {
    setEventInput(eventId);
    setMemberInput(memberId);
  }, [eventId, memberId]);
  const show = (e: number | null, m: number | null) =>
    setParams({ tab: 'why', ...(e ? { eventId: String(e) } : {}), ...(e && m ? { memberId: String(m) } : {}) }, { replace: true });

  const replay = useApi<Replay>(eventId ? `/api/admin/rewards/events/${eventId}` : null);
  const why = useApi<Why>(eventId && memberId ? `/api/admin/rewards/events/${eventId}/why` : null, memberId ? { memberId } : undefined);

  const r = replay.data;
  const paidTo = new Map<number, bigint>();
  for (const p of r?.result?.payouts ?? []) paidTo.set(p.memberId, (paidTo.get(p.memberId) ?? 0n) + BigInt(p.amountFen));
  const people = r?.snapshot ? [{ p: r.snapshot.member, position: t('事件本人', 'The member') }, ...r.snapshot.ancestors.map((p, i) => ({ p, position: positions[i] ?? `${i + 1}` }))] : [];

  const peopleColumns: ColumnsType<(typeof people)[number]> = [
    { title: t('位置', 'Position'), dataIndex: 'position', width: 90 },
    { title: t('会员', 'Member'), key: 'id', width: 90, render: (_, x) => `#${x.p[0]}` },
    { title: t('当时等级', 'Level then'), key: 'level', render: (_, x) => `${x.p[2]}（${x.p[3]}）` },
    { title: t('当时状态', 'Status then'), key: 'active', width: 100, render: (_, x) => (x.p[5] ? <Tag color="green">{t('已激活', 'Active')}</Tag> : <Tag>{t('未激活', 'Inactive')}</Tag>) },
    { title: t('本事件所得', 'Paid by this event'), key: 'paid', align: 'right', width: 130, render: (_, x) => <Money fen={(paidTo.get(x.p[0]) ?? 0n).toString()} /> },
    {
      title: '',
      key: 'why',
      width: 110,
      render: (_, x) => (
        <Button size="small" type={x.p[0] === memberId ? 'primary' : 'default'} data-testid={`why-member-${x.p[0]}`} onClick={() => show(eventId, x.p[0])}>
          {t('查看原因', 'Why')}
        </Button>
      ),
    },
  ];

  const sourceName = (d: Decision) => (d.source.kind === 'rule' ? d.source.ruleName : d.source.kind === 'profit_share' ? t('级差分润', 'Profit share') : t('平级奖', 'Peer bonus'));
  const decisionColumns: ColumnsType<Decision> = [
    { title: t('规则', 'Rule'), key: 'source', width: 140, render: (_, d) => sourceName(d) },
    { title: t('结果', 'Result'), key: 'paid', width: 90, render: (_, d) => (d.paid ? <Tag color="green">{t('已发放', 'Paid')}</Tag> : <Tag color="red">{t('未发放', 'Not paid')}</Tag>) },
    { title: t('说明', 'Explanation'), dataIndex: 'text', render: (v: string) => <span style={{ fontSize: 13 }}>{v}</span> },
    {
      title: t('条件', 'Conditions'),
      key: 'conditions',
      width: 220,
      render: (_, d) => (
        <Space size={4} wrap>
          {d.conditions.map((c, i) => (
            <Tag key={i} color={c.holds ? 'green' : 'red'} style={{ marginInlineEnd: 0 }}>
              {c.holds ? '✓' : '✗'} {c.text}
            </Tag>
          ))}
        </Space>
      ),
    },
    { title: t('金额', 'Amount'), dataIndex: 'amountFen', align: 'right', width: 110, render: (v: string, d) => (d.paid ? <Money fen={v} strong /> : '—') },
  ];

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="why-tab">
      <Space wrap>
        <InputNumber<number> min={1} precision={0} style={{ width: 160 }} placeholder={t('事件编号', 'Event id')} value={eventInput} onChange={setEventInput} data-testid="why-event" />
        <InputNumber<number> min={1} precision={0} style={{ width: 160 }} placeholder={t('会员编号（可选）', 'Member id (optional)')} value={memberInput} onChange={setMemberInput} data-testid="why-member" />
        <Button type="primary" icon={<SearchOutlined />} disabled={!eventInput} onClick={() => show(eventInput, memberInput)} data-testid="why-submit">
          {t('查询', 'Look up')}
        </Button>
        <Typography.Text type="secondary">{t('事件编号见会员详情的“奖励”列表', "Event ids are on a member's Rewards tab")}</Typography.Text>
      </Space>

      {!eventId ? <Empty description={t('输入事件编号，查看该事件为什么（没有）给某位会员发放奖励', 'Enter an event id to see why a member was (not) paid for it')} /> : null}
      <ErrorAlert error={replay.error} onRetry={replay.reload} />
      {replay.loading && !r ? <Skeleton active paragraph={{ rows: 4 }} /> : null}
      {r ? (
        <Card size="small" title={t(`事件 #${r.eventId}`, `Event #${r.eventId}`)} data-testid="why-event-card">
          <Descriptions size="small" column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t('类型', 'Kind')}>{triggerLabel(t, r.kind)}</Descriptions.Item>
            <Descriptions.Item label={t('金额', 'Amount')}>
              <Money fen={r.baseFen} />
            </Descriptions.Item>
            <Descriptions.Item label={t('发生时间', 'When')}>{formatDateTime(r.occurredAt)}</Descriptions.Item>
            <Descriptions.Item label={t('规则版本', 'Rule set')}>v{r.version}</Descriptions.Item>
            <Descriptions.Item label={t('发放合计', 'Paid in all')}>
              <Money fen={r.totalFen} />
            </Descriptions.Item>
            <Descriptions.Item label={t('状态', 'State')}>
              {r.clawedBackAt ? <Tag color="red">{t('原交易已退款，奖励已收回', 'Refunded; rewards clawed back')}</Tag> : <Tag color="green">{t('有效', 'Standing')}</Tag>}
            </Descriptions.Item>
          </Descriptions>
          {!r.consistent ? <Alert type="warning" showIcon message={t('按存档输入重算的结果与当时发放的不一致，请联系技术人员', 'Replaying the stored inputs does not give what was paid; contact engineering')} /> : null}
          {r.snapshot ? (
            <Table size="small" rowKey={(x) => x.p[0]} columns={peopleColumns} dataSource={people} pagination={false} data-testid="why-people" style={{ marginTop: 12 }} />
          ) : (
            <Alert type="info" showIcon message={t('退款事件不产生奖励；它收回原交易产生的全部奖励', 'A refund pays nothing; it takes back everything its sale paid')} />
          )}
        </Card>
      ) : null}

      <ErrorAlert error={why.error} onRetry={why.reload} />
      {why.data ? (
        <Card size="small" title={t(`会员 #${why.data.memberId} · ${why.data.position}`, `Member #${why.data.memberId} · ${why.data.position}`)} data-testid="why-result">
          <Table<Decision>
            size="small"
            rowKey={(_, i) => String(i)}
            columns={decisionColumns}
            dataSource={why.data.decisions}
            pagination={false}
            locale={{ emptyText: t('没有规则对该会员作出判断', 'No rule decided anything about this member') }}
          />
        </Card>
      ) : null}
    </Space>
  );
}
