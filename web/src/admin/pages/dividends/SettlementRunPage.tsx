import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Col, Result, Row, Skeleton, Space, Typography } from 'antd';
import { useEffect } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert } from '../../components';
import { useStaffSession } from '../../session';
import { Kpi } from './Kpi';
import { useLevelNames } from './levels';
import { busyStates, payIntoLabel, runPayoutFen, runPoolFen, runQualifiers, sumFen, type Run } from './model';
import { QualifiersCard } from './QualifiersCard';
import { RunActions } from './RunActions';
import { RunStateTag } from './RunStateTag';
import { RunStatusCard } from './RunStatusCard';
import { RunTiersTable } from './RunTiersTable';

const POLL_MS = 2_000;

/** One month's settlement run: where it stands, its tiers and qualifiers, and the next step. */
export default function SettlementRunPage() {
  const t = useT();
  const navigate = useNavigate();
  const { id } = useParams();
  const { can } = useStaffSession();
  const levels = useLevelNames(t);
  const { data: run, error, loading, reload } = useApi<Run>(`/api/admin/settlement/runs/${id}`);

  // Statistics and payment run on the server after the request answered: follow them until they settle.
  const busy = !!run && busyStates.includes(run.state);
  useEffect(() => {
    if (!busy) return;
    const timer = window.setInterval(reload, POLL_MS);
    return () => window.clearInterval(timer);
  }, [busy, reload]);

  const remainder = run ? sumFen(run.tiers.map((x) => x.remainderFen)) : '0';

  const back = (
    <Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/settlement')}>
      {t('返回列表', 'Back to runs')}
    </Button>
  );

  if (error instanceof ApiError && error.status === 404) {
    return (
      <div data-testid="page-settlement-run">
        <Result status="404" title={t('结算不存在', 'No such run')} subTitle={t('该结算记录不存在或已被删除', 'This settlement run does not exist')} extra={back} />
      </div>
    );
  }

  return (
    <div data-testid="page-settlement-run">
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 16, flexWrap: 'wrap', marginBottom: 16 }}>
        <div>
          <Space align="center" size={10}>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {run ? t(`${run.month} 月度结算`, `Settlement of ${run.month}`) : t('月度结算', 'Monthly settlement')}
            </Typography.Title>
            {run ? <RunStateTag state={run.state} /> : null}
          </Space>
          {run ? (
            <div>
              <Typography.Text type="secondary">
                {t(
                  `结算单 #${run.id} · 分红档位 v${run.tiersVersion} · 发放至${payIntoLabel(run.payInto, t)} · 创建于 ${formatDateTime(run.createdAt)}`,
                  `Run #${run.id} · tiers v${run.tiersVersion} · into ${payIntoLabel(run.payInto, t).toLowerCase()} · opened ${formatDateTime(run.createdAt)}`,
                )}
              </Typography.Text>
            </div>
          ) : null}
        </div>
        <Space wrap>
          {back}
          {run ? <RunActions run={run} onChanged={reload} /> : null}
        </Space>
      </div>
      <ErrorAlert error={error} onRetry={reload} />
      {!run ? (
        loading ? <Skeleton active paragraph={{ rows: 10 }} /> : null
      ) : (
        <>
          <RunStatusCard run={run} canApprove={can('finance')} />
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
            <Col xs={12} lg={6}>
              <Kpi label={t('平台当月交易额', 'Platform volume')} value={formatMoney(run.volumeFen)} accent="#1677ff" testId="run-kpi-volume" />
            </Col>
            <Col xs={12} lg={6}>
              <Kpi label={t('奖池合计', 'Pools')} value={run.tiers.length ? formatMoney(runPoolFen(run)) : '—'} note={run.tiers.length ? t(`余数留存 ${formatMoney(remainder)}`, `Kept by the platform ${formatMoney(remainder)}`) : undefined} accent="#13c2c2" testId="run-kpi-pool" />
            </Col>
            <Col xs={12} lg={6}>
              <Kpi label={t('合格人次', 'Qualifiers')} value={run.tiers.length ? runQualifiers(run).toLocaleString() : '—'} accent="#722ed1" testId="run-kpi-qualifiers" />
            </Col>
            <Col xs={12} lg={6}>
              <Kpi
                label={run.state === 'paid' || run.state === 'paying' ? t('已发放', 'Paid') : t('应发合计', 'To pay')}
                value={!run.tiers.length ? '—' : formatMoney(run.state === 'paid' || run.state === 'paying' ? sumFen(run.tiers.map((x) => x.paidFen)) : runPayoutFen(run))}
                note={run.state === 'paying' ? t(`应发 ${formatMoney(runPayoutFen(run))}`, `of ${formatMoney(runPayoutFen(run))}`) : undefined}
                accent="#52c41a"
                testId="run-kpi-payout"
              />
            </Col>
          </Row>
          <RunTiersTable run={run} />
          <QualifiersCard run={run} levels={levels} />
        </>
      )}
    </div>
  );
}
