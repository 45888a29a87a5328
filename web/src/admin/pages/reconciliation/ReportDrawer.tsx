import { Card, Col, Descriptions, Drawer, Result, Row, Skeleton, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { formatDateTime } from '../../../shared/format';
import { useI18n } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { EmptyState, ErrorAlert, Money } from '../../components';
import { type Difference, differenceCount, type DifferenceKind, differenceWords, type Report, type Side, txnStatusWords } from './model';

/** One reconciliation report: the counts, then every difference by kind, theirs beside ours. */
export function ReportDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { data, error, loading, reload } = useApi<Report>(id === null ? null : `/api/admin/reconciliations/${id}`);
  const report = data && data.id === id ? data : undefined;
  const pick = (w: readonly string[]) => w[lang === 'en' ? 1 : 0]!;
  const status = (s: string) => (txnStatusWords[s] ? pick(txnStatusWords[s]) : s);

  const side = (s: Side | undefined, other: Side | undefined) =>
    s ? (
      <div>
        <Typography.Text type={other && other.amountFen !== s.amountFen ? 'danger' : undefined} strong>
          <Money fen={s.amountFen} />
        </Typography.Text>{' '}
        <Tag color={other && other.status !== s.status ? 'red' : undefined}>{status(s.status)}</Tag>
        <div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('商户号', 'Merchant')} {s.merchantRef || '—'}
          </Typography.Text>
        </div>
      </div>
    ) : (
      <Typography.Text type="secondary">{t('无记录', 'No record')}</Typography.Text>
    );

  const table = (kind: DifferenceKind, rows: Difference[]) => (
    <Table<Difference>
      rowKey={(d) => `${d.kind}:${d.channelTxnId ?? ''}:${d.line ?? ''}`}
      size="small"
      dataSource={rows}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      data-testid={`recon-lines-${kind}`}
      locale={{ emptyText: <EmptyState text={t('无此类差异', 'None of this kind')} /> }}
      columns={
        kind === 'invalid_line'
          ? [
              { title: t('行号', 'Line'), dataIndex: 'line', width: 80 },
              { title: t('通道流水号', 'Channel txn id'), dataIndex: 'channelTxnId', width: 200, render: (v: string | null) => v ?? '—' },
              { title: t('问题', 'Problem'), dataIndex: 'message' },
            ]
          : [
              { title: t('通道流水号', 'Channel txn id'), dataIndex: 'channelTxnId', render: (v: string | null) => <Typography.Text copyable code>{v ?? '—'}</Typography.Text> },
              { title: t('通道对账单', 'Their statement'), key: 'theirs', render: (_, d) => side(d.theirs, d.ours) },
              { title: t('平台记录', 'Our record'), key: 'ours', render: (_, d) => side(d.ours, d.theirs) },
            ]
      }
    />
  );

  const kinds = Object.keys(differenceWords) as DifferenceKind[];
  const diffs = report ? differenceCount(report.counts) : 0;

  return (
    <Drawer open={id !== null} onClose={onClose} width={860} title={t(`对账报告 #${id ?? ''}`, `Reconciliation report #${id ?? ''}`)} data-testid="recon-report">
      <ErrorAlert error={error} onRetry={reload} />
      {!report && loading ? <Skeleton active paragraph={{ rows: 8 }} /> : null}
      {report ? (
        <>
          <Descriptions size="small" column={3} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('通道', 'Channel')}>
              <Typography.Text code>{report.channelId}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('业务日', 'Business day')}>{report.day}</Descriptions.Item>
            <Descriptions.Item label={t('导入时间', 'Imported')}>{formatDateTime(report.createdAt)}</Descriptions.Item>
            <Descriptions.Item label={t('文件', 'File')} span={3}>
              {report.fileName ?? '—'}
            </Descriptions.Item>
          </Descriptions>
          <Row gutter={16} style={{ marginBottom: 16 }}>
            {[
              [t('通道记录', 'Their records'), report.counts.theirRecords ?? 0, undefined],
              [t('平台记录', 'Our records'), report.counts.ourRecords ?? 0, undefined],
              [t('一致', 'Matched'), report.counts.matched ?? 0, '#52c41a'],
              [t('差异', 'Differences'), diffs, diffs > 0 ? '#ff4d4f' : undefined],
            ].map(([title, value, color]) => (
              <Col span={6} key={String(title)}>
                <Card size="small">
                  <Statistic title={title} value={value as number} valueStyle={color ? { color: color as string } : undefined} />
                </Card>
              </Col>
            ))}
          </Row>
          {diffs === 0 ? (
            <Result status="success" title={t('账目一致', 'Everything matches')} subTitle={t('通道对账单与平台记录完全一致', 'The statement and our records agree')} />
          ) : (
            <Tabs
              defaultActiveKey={kinds.find((k) => (report.counts[differenceWords[k][3]] ?? 0) > 0)}
              items={kinds.map((k) => {
                const n = report.counts[differenceWords[k][3]] ?? 0;
                return {
                  key: k,
                  label: (
                    <span>
                      {pick(differenceWords[k])} <Tag color={n > 0 ? differenceWords[k][2] : undefined}>{n}</Tag>
                    </span>
                  ),
                  children: table(k, report.lines.filter((l) => l.kind === k)),
                };
              })}
            />
          )}
        </>
      ) : null}
    </Drawer>
  );
}
