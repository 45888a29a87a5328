import { CheckCircleFilled, ImportOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { formatDateTime } from '../../../shared/format';
import { useI18n } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { EmptyState, ErrorAlert, PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import type { Channel } from '../channels/model';
import { ImportModal } from './ImportModal';
import { type DifferenceKind, differenceWords, type ReportSummary } from './model';
import { ReportDrawer } from './ReportDrawer';

/** 对账: channel statements against the transactions we received, one report per import. */
export default function ReconciliationPage() {
  const { t, lang } = useI18n();
  const { can } = useStaffSession();
  const finance = can('owner', 'finance');
  const [channelId, setChannelId] = useState<string | undefined>();
  const reports = useApi<{ items: ReportSummary[] }>('/api/admin/reconciliations', { channelId });
  const channels = useApi<{ items: Channel[] }>('/api/admin/channels');
  const [importing, setImporting] = useState(false);
  const [openId, setOpenId] = useState<number | null>(null);
  const channelName = (id: string) => channels.data?.items.find((c) => c.id === id)?.name;

  const columns: ColumnsType<ReportSummary> = [
    {
      title: t('报告', 'Report'),
      dataIndex: 'id',
      width: 80,
      render: (id: number) => (
        <Typography.Link onClick={() => setOpenId(id)} data-testid="recon-open">
          #{id}
        </Typography.Link>
      ),
    },
    { title: t('业务日', 'Day'), dataIndex: 'day', width: 110 },
    {
      title: t('通道', 'Channel'),
      dataIndex: 'channelId',
      width: 170,
      render: (id: string) => (
        <Space direction="vertical" size={0}>
          <span>{channelName(id) ?? id}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {id}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('文件', 'File'),
      dataIndex: 'fileName',
      ellipsis: true,
      render: (v: string | null) => v ?? <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      title: t('通道 / 平台 / 一致', 'Theirs / ours / matched'),
      key: 'records',
      width: 150,
      render: (_, r) => `${r.counts.theirRecords ?? 0} / ${r.counts.ourRecords ?? 0} / ${r.counts.matched ?? 0}`,
    },
    {
      title: t('差异', 'Differences'),
      key: 'diffs',
      render: (_, r) => {
        const tags = (Object.keys(differenceWords) as DifferenceKind[])
          .map((k) => [k, r.counts[differenceWords[k][3]] ?? 0] as const)
          .filter(([, n]) => n > 0);
        return tags.length ? (
          <Space size={[4, 4]} wrap>
            {tags.map(([k, n]) => (
              <Tag key={k} color={differenceWords[k][2]}>
                {lang === 'en' ? differenceWords[k][1] : differenceWords[k][0]} {n}
              </Tag>
            ))}
          </Space>
        ) : (
          <Typography.Text type="success">
            <CheckCircleFilled /> {t('一致', 'All match')}
          </Typography.Text>
        );
      },
    },
    { title: t('导入时间', 'Imported'), dataIndex: 'createdAt', width: 140, render: (v: string) => formatDateTime(v) },
  ];

  return (
    <div data-testid="page-reconciliation">
      <PageTitle
        title={t('对账', 'Reconciliation')}
        sub={t('导入通道每日对账单，与平台收到的交易逐笔核对；导入只生成报告，不修改数据', "Import a channel's daily statement and compare it with the transactions we received; importing only reports")}
        extra={
          finance ? (
            <Tooltip title={channels.data && channels.data.items.length === 0 ? t('请先添加支付通道', 'Add a channel first') : undefined}>
              <Button type="primary" icon={<ImportOutlined />} onClick={() => setImporting(true)} disabled={!channels.data?.items.length} data-testid="recon-import">
                {t('导入对账单', 'Import statement')}
              </Button>
            </Tooltip>
          ) : null
        }
      />
      <Card
        title={
          <Select
            allowClear
            placeholder={t('全部通道', 'All channels')}
            style={{ width: 240 }}
            value={channelId}
            onChange={setChannelId}
            options={(channels.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name}（${c.id}）` }))}
            data-testid="recon-filter-channel"
          />
        }
        extra={
          <Button icon={<ReloadOutlined />} onClick={reports.reload} loading={reports.loading}>
            {t('刷新', 'Refresh')}
          </Button>
        }
      >
        <ErrorAlert error={reports.error} onRetry={reports.reload} />
        <Table<ReportSummary>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={reports.data?.items ?? []}
          loading={reports.loading}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t(`最近 ${n} 份报告`, `Latest ${n} reports`) }}
          scroll={{ x: 900 }}
          data-testid="recon-table"
          locale={{ emptyText: <EmptyState text={t('还没有对账报告', 'No reports yet')} /> }}
        />
      </Card>
      {importing ? (
        <ImportModal
          // Transaction-push channels first: their statements are the daily routine.
          channels={[...(channels.data?.items ?? [])].sort((a, b) => Number(b.kind === 'push') - Number(a.kind === 'push'))}
          defaultChannelId={channelId}
          onClose={() => setImporting(false)}
          onImported={(r) => {
            reports.reload();
            setOpenId(r.id);
          }}
        />
      ) : null}
      <ReportDrawer id={openId} onClose={() => setOpenId(null)} />
    </div>
  );
}
