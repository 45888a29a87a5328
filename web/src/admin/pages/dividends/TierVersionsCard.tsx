import { HistoryOutlined } from '@ant-design/icons';
import { Button, Card, Modal, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../../../shared/i18n';
import { formatDateTime } from '../../../shared/format';
import { useApi, type Loaded } from '../../../shared/use-api';
import { EmptyState, ErrorAlert } from '../../components';
import type { LevelNames } from './levels';
import type { TiersView, TierVersionItem } from './model';
import { TiersTable } from './TiersTable';

/** Every saved version of the tiers; any one can be opened whole (a run names the version it used). */
export function TierVersionsCard({ versions, current, levels }: { versions: Loaded<{ items: TierVersionItem[] }>; current: number | undefined; levels: LevelNames }) {
  const t = useT();
  const { data, error, loading, reload } = versions;
  const [viewing, setViewing] = useState<number | null>(null);

  return (
    <Card title={<Space><HistoryOutlined />{t('版本历史', 'Version history')}</Space>} style={{ height: '100%' }} data-testid="tier-versions">
      <ErrorAlert error={error} onRetry={reload} />
      <Table<TierVersionItem>
        rowKey="version"
        size="small"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={{ pageSize: 6, hideOnSinglePage: true, size: 'small' }}
        locale={{ emptyText: <EmptyState text={t('尚未保存过档位', 'Never saved')} /> }}
        columns={[
          {
            title: t('版本', 'Version'),
            dataIndex: 'version',
            width: 110,
            render: (v: number) => (
              <Space size={4}>
                <Typography.Text strong>v{v}</Typography.Text>
                {v === current ? <Tag color="blue">{t('当前', 'Current')}</Tag> : null}
              </Space>
            ),
          },
          { title: t('保存时间', 'Saved'), dataIndex: 'savedAt', width: 140, render: (v: string) => formatDateTime(v) },
          { title: t('档位数', 'Tiers'), dataIndex: 'tiers', width: 70, align: 'right' },
          { title: t('变更说明', 'Note'), dataIndex: 'note', ellipsis: true, render: (v: string | null) => v ?? <Typography.Text type="secondary">—</Typography.Text> },
          {
            title: '',
            key: 'view',
            width: 64,
            render: (_, row) => (
              <Button type="link" size="small" onClick={() => setViewing(row.version)} data-testid={`tier-version-${row.version}`}>
                {t('查看', 'View')}
              </Button>
            ),
          },
        ]}
      />
      <VersionModal version={viewing} levels={levels} onClose={() => setViewing(null)} />
    </Card>
  );
}

function VersionModal({ version, levels, onClose }: { version: number | null; levels: LevelNames; onClose: () => void }) {
  const t = useT();
  const { data, error, loading, reload } = useApi<TiersView>(version === null ? null : `/api/admin/dividends/tiers/versions/${version}`);
  const shown = data?.version === version ? data : undefined;
  return (
    <Modal
      open={version !== null}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t('关闭', 'Close')}</Button>}
      width={900}
      title={t(`分红档位 v${version ?? ''}`, `Dividend tiers v${version ?? ''}`)}
    >
      <ErrorAlert error={error} onRetry={reload} />
      {shown ? (
        <Typography.Paragraph type="secondary">
          {t(`保存于 ${formatDateTime(shown.savedAt)}`, `Saved ${formatDateTime(shown.savedAt)}`)}
          {shown.note ? ` · ${shown.note}` : ''}
        </Typography.Paragraph>
      ) : null}
      <TiersTable tiers={shown?.tiers ?? []} levels={levels} loading={loading} />
    </Modal>
  );
}
