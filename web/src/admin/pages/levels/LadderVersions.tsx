import { EyeOutlined } from '@ant-design/icons';
import { Button, Card, Modal, Table, Tag } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, ErrorAlert } from '../../components';
import { LadderTable } from './LadderTable';
import type { LadderVersion } from './ladder';
import { useStaffNames } from './staff-names';

/** Every saved ladder, newest first; each can be opened as it was saved. */
export function LadderVersions({ currentVersion, reloadKey, upgradeByDifference }: { currentVersion: number | undefined; reloadKey: number; upgradeByDifference: boolean }) {
  const t = useT();
  const pages = useCursorPages<LadderVersion>('/api/admin/levels/versions', {}, 10);
  const { reload } = pages;
  // A save adds a version: read the list again (the first render has just loaded it).
  const seen = useRef(reloadKey);
  useEffect(() => {
    if (seen.current === reloadKey) return;
    seen.current = reloadKey;
    reload();
  }, [reloadKey, reload]);
  const staffName = useStaffNames();
  const [viewing, setViewing] = useState<LadderVersion | null>(null);
  return (
    <Card title={t('版本历史', 'Version history')} data-testid="levels-versions">
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Table<LadderVersion>
        rowKey="version"
        size="small"
        loading={pages.loading}
        dataSource={pages.items}
        pagination={false}
        columns={[
          {
            title: t('版本', 'Version'),
            dataIndex: 'version',
            width: 100,
            render: (v: number) => (
              <>
                v{v} {v === currentVersion ? <Tag color="green">{t('当前', 'Current')}</Tag> : null}
              </>
            ),
          },
          { title: t('保存时间', 'Saved at'), dataIndex: 'savedAt', width: 150, render: (v: string) => formatDateTime(v) },
          { title: t('保存人', 'Saved by'), key: 'by', width: 140, render: (_v, r) => staffName(r.savedByKind, r.savedBy) },
          {
            title: t('等级', 'Levels'),
            key: 'levels',
            render: (_v, r) =>
              [...r.levels]
                .sort((a, b) => a.rank - b.rank)
                .map((l) => l.name)
                .join(' → '),
          },
          {
            title: t('操作', 'Actions'),
            key: 'view',
            width: 80,
            render: (_v, r) => (
              <Button type="link" size="small" icon={<EyeOutlined />} onClick={() => setViewing(r)} data-testid={`ladder-version-view-${r.version}`}>
                {t('查看', 'View')}
              </Button>
            ),
          },
        ]}
      />
      <CursorPager pages={pages} />
      <Modal
        open={viewing !== null}
        onCancel={() => setViewing(null)}
        footer={null}
        width={1040}
        title={viewing ? t(`等级体系 v${viewing.version}（${formatDateTime(viewing.savedAt)} 由 ${staffName(viewing.savedByKind, viewing.savedBy)} 保存）`, `Ladder v${viewing.version} (saved ${formatDateTime(viewing.savedAt)} by ${staffName(viewing.savedByKind, viewing.savedBy)})`) : null}
        data-testid="ladder-version-modal"
      >
        {viewing ? (
          <LadderTable compact upgradeByDifference={upgradeByDifference} levels={viewing.levels.map((l) => ({ ...l, key: String(l.id), holders: 0 }))} />
        ) : null}
      </Modal>
    </Card>
  );
}
