import { ArrowRightOutlined, AuditOutlined, InfoCircleOutlined, ReloadOutlined, WalletOutlined } from '@ant-design/icons';
import { Avatar, Button, Card, Col, Descriptions, Empty, Row, Segmented, Skeleton, Space, Statistic, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { formatDateTime } from '../../../shared/format';
import { useI18n } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert, Money, PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { Chart } from '../../Chart';
import { levelOption, levelTotals, payoutTypeOption, volumeOption } from './charts';
import { fenOf, payoutTypeNames, type Dashboard, type PayoutType, type PeriodFigures } from './model';

const moneyStyle = { fontSize: 22, fontVariantNumeric: 'tabular-nums' as const };

/** Today or this month: the three headline figures and what they are made of. */
function PeriodCard({ title, tag, figures, dividendNote, testId }: { title: string; tag: string; figures: PeriodFigures; dividendNote: string; testId: string }) {
  const { t, lang } = useI18n();
  const v = figures.volume;
  const payoutLabel = (type: PayoutType) => t(...payoutTypeNames[type]);
  return (
    <Card title={<Space>{title}<Tag bordered={false}>{tag}</Tag></Space>} style={{ height: '100%' }} data-testid={testId}>
      <Row gutter={16}>
        <Col span={9}>
          <Statistic title={t('交易额', 'Volume')} value={formatMoney(v.totalFen)} valueStyle={moneyStyle} />
        </Col>
        <Col span={7}>
          <Statistic title={t('新增会员', 'New members')} value={figures.newMembers} suffix={t('人', '')} valueStyle={moneyStyle} />
        </Col>
        <Col span={8}>
          <Statistic title={t('奖励发放', 'Payouts')} value={formatMoney(figures.payoutTotalFen)} valueStyle={moneyStyle} />
        </Col>
      </Row>
      <Descriptions size="small" column={2} colon={false} style={{ marginTop: 16 }} styles={{ label: { color: '#8c8c8c', whiteSpace: 'nowrap', width: lang === 'en' ? 104 : 80 } }}>
        {/* Row by row: what made the volume on the left, what was paid on the right. */}
        <Descriptions.Item label={t('销售净额', 'Net sales')}><Money fen={v.salesFen} /></Descriptions.Item>
        <Descriptions.Item label={payoutLabel('rule')}><Money fen={fenOf(figures, 'rule')} /></Descriptions.Item>
        <Descriptions.Item label={t('入驻费', 'Fees')}><Money fen={v.onboardingFeesFen} /></Descriptions.Item>
        <Descriptions.Item label={payoutLabel('profit_share')}><Money fen={fenOf(figures, 'profit_share')} /></Descriptions.Item>
        <Descriptions.Item label={t('等级购买', 'Purchases')}><Money fen={v.levelPurchasesFen} /></Descriptions.Item>
        <Descriptions.Item label={payoutLabel('peer_bonus')}><Money fen={fenOf(figures, 'peer_bonus')} /></Descriptions.Item>
        <Descriptions.Item label={t('激活会员', 'Activated')}>{t(`${figures.activatedMembers} 人`, String(figures.activatedMembers))}</Descriptions.Item>
        <Descriptions.Item label={<Tooltip title={dividendNote}><span>{payoutLabel('dividend')} <InfoCircleOutlined style={{ fontSize: 12 }} /></span></Tooltip>}>
          <Money fen={fenOf(figures, 'dividend')} />
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

/** Work waiting for staff: a card that opens its queue (when the role may open it). */
function PendingCard(props: { icon: ReactNode; color: string; title: string; value: number; detail?: ReactNode; to: string | null; action: string; testId: string }) {
  const navigate = useNavigate();
  const { t } = useI18n();
  const busy = props.value > 0;
  return (
    <Card hoverable={props.to !== null} onClick={props.to ? () => navigate(props.to!) : undefined} data-testid={props.testId} styles={{ body: { padding: 20 } }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 16 }}>
        <Avatar size={48} icon={props.icon} style={{ background: busy ? props.color : '#d9d9d9', flex: 'none' }} />
        <Statistic
          title={props.title}
          value={props.value}
          suffix={<Typography.Text type="secondary" style={{ fontSize: 14 }}>{t('笔', '')}{props.detail}</Typography.Text>}
          valueStyle={{ fontSize: 26, color: busy ? props.color : undefined }}
          style={{ flex: 1 }}
        />
        {props.to ? (
          <Typography.Link>
            {props.action} <ArrowRightOutlined />
          </Typography.Link>
        ) : null}
      </div>
    </Card>
  );
}

function ChartCard({ title, extra, empty, children, testId }: { title: ReactNode; extra?: ReactNode; empty: boolean; children: ReactNode; testId: string }) {
  const { t } = useI18n();
  return (
    <Card title={title} extra={extra} style={{ height: '100%' }} data-testid={testId}>
      {empty ? (
        <div style={{ height: 320, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
          <Empty description={t('近 12 个月暂无数据', 'Nothing in the last 12 months')} />
        </div>
      ) : (
        children
      )}
    </Card>
  );
}

function DashboardBody({ d }: { d: Dashboard }) {
  const { t, lang } = useI18n();
  const { can } = useStaffSession();
  const [levelRange, setLevelRange] = useState<'year' | 'month'>('year');
  const volume = useMemo(() => volumeOption(d.series, t, lang), [d, t, lang]);
  const byType = useMemo(() => payoutTypeOption(d.series, t, lang), [d, t, lang]);
  const totals = useMemo(() => levelTotals(levelRange === 'year' ? d.series : [d.month]), [d, levelRange]);
  const byLevel = useMemo(() => levelOption(totals, d.levels, t), [totals, d.levels, t]);
  const noVolume = d.series.every((m) => m.volume.totalFen === '0' && m.newMembers === 0);
  const noPayouts = d.series.every((m) => m.payoutTotalFen === '0');
  const monthTitle = lang === 'en' ? d.month.month : `${d.month.month.slice(0, 4)}年${Number(d.month.month.slice(5, 7))}月`;

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <PeriodCard
            title={t('今日', 'Today')}
            tag={d.today.date}
            figures={d.today}
            dividendNote={t('今日实际发放的分红', 'Dividends paid out today')}
            testId="dashboard-today"
          />
        </Col>
        <Col xs={24} xl={12}>
          <PeriodCard
            title={t('本月', 'This month')}
            tag={monthTitle}
            figures={d.month}
            dividendNote={t('本月的分红在下月初结算后计入本月', "A month's dividends count once it is settled, early the next month")}
            testId="dashboard-month"
          />
        </Col>
        <Col xs={24} md={12}>
          <PendingCard
            icon={<AuditOutlined />}
            color="#fa8c16"
            title={t('待审核入驻', 'Onboarding reviews waiting')}
            value={d.pending.onboardingReviews}
            to="/onboarding"
            action={t('去审核', 'Review')}
            testId="dashboard-pending-onboarding"
          />
        </Col>
        <Col xs={24} md={12}>
          <PendingCard
            icon={<WalletOutlined />}
            color="#f5222d"
            title={t('待复核提现', 'Withdrawals waiting for review')}
            value={d.pending.withdrawals.count}
            detail={<span style={{ marginLeft: 8 }}>· {t('合计', 'total')} {formatMoney(d.pending.withdrawals.amountFen)}</span>}
            to={can('owner', 'finance', 'viewer') ? '/withdrawals' : null}
            action={t('去处理', 'Open')}
            testId="dashboard-pending-withdrawals"
          />
        </Col>
      </Row>
      <ChartCard
        title={t('交易额与新增会员（近 12 个月）', 'Volume and new members (12 months)')}
        extra={<Typography.Text type="secondary">{t('交易额 = 销售净额 + 入驻费 + 等级购买', 'Volume = net sales + onboarding fees + level purchases')}</Typography.Text>}
        empty={noVolume}
        testId="chart-volume"
      >
        <Chart option={volume} height={320} />
      </ChartCard>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <ChartCard title={t('奖励发放构成（按月）', 'Payouts by type (monthly)')} empty={noPayouts} testId="chart-payout-types">
            <Chart option={byType} height={320} />
          </ChartCard>
        </Col>
        <Col xs={24} xl={10}>
          <ChartCard
            title={t('按等级发放', 'Payouts by level')}
            extra={
              <Segmented
                size="small"
                value={levelRange}
                onChange={(v) => setLevelRange(v as 'year' | 'month')}
                options={[
                  { value: 'year', label: t('近 12 个月', '12 months') },
                  { value: 'month', label: t('本月', 'This month') },
                ]}
                data-testid="chart-levels-range"
              />
            }
            empty={noPayouts}
            testId="chart-payout-levels"
          >
            {totals.length === 0 ? (
              <div style={{ height: 320, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
                <Empty description={t('本月暂无发放', 'Nothing paid this month')} />
              </div>
            ) : (
              <Chart option={byLevel} height={320} />
            )}
          </ChartCard>
        </Col>
      </Row>
    </Space>
  );
}

/** The console's front page: today and this month, the queues waiting for staff, and 12 months of charts. */
export default function DashboardPage() {
  const { t } = useI18n();
  const { data, error, loading, reload } = useApi<Dashboard>('/api/admin/dashboard');
  return (
    <div data-testid="page-dashboard">
      <PageTitle
        title={t('数据看板', 'Dashboard')}
        sub={data ? t(`按平台时区 ${data.timeZone} 统计 · 更新于 ${formatDateTime(data.generatedAt)}`, `In the platform time zone ${data.timeZone} · updated ${formatDateTime(data.generatedAt)}`) : undefined}
        extra={
          <Button icon={<ReloadOutlined />} onClick={reload} loading={loading && !!data} data-testid="dashboard-reload">
            {t('刷新', 'Refresh')}
          </Button>
        }
      />
      <ErrorAlert error={error} onRetry={reload} />
      {data ? (
        <DashboardBody d={data} />
      ) : loading ? (
        <Row gutter={[16, 16]}>
          {[0, 1, 2, 3].map((i) => (
            <Col key={i} xs={24} xl={12}>
              <Card>
                <Skeleton active />
              </Card>
            </Col>
          ))}
        </Row>
      ) : null}
    </div>
  );
}
