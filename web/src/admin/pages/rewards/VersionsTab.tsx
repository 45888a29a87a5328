import { EyeOutlined } from '@ant-design/icons';
import { Button, Card, Drawer, Spin, Table } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, ErrorAlert } from '../../components';
import type { Words } from './describe';
import { ActorName, RuleSetView, StateTag } from './RuleSetView';
import type { StoredRuleSet } from './types';

function VersionDrawer({ version, words, onClose }: { version: number | null; words: Words; onClose: () => void }) {
  const t = useT();
  const set = useApi<StoredRuleSet>(version === null ? null : `/api/admin/rewards/rule-sets/${version}`);
  const shown = set.data && set.data.version === version ? set.data : undefined;
  return (
    <Drawer open={version !== null} onClose={onClose} width={980} title={t(`规则版本 v${version ?? ''}`, `Rule set v${version ?? ''}`)} data-testid="version-drawer">
      <ErrorAlert error={set.error} onRetry={set.reload} />
      {shown ? <RuleSetView set={shown} words={words} /> : set.loading ? <Spin style={{ display: 'block', margin: '60px auto' }} /> : null}
    </Drawer>
  );
}

/** 版本历史: every rule-set version, newest first, each viewable read-only. */
export function VersionsTab({ words, reloadKey }: { words: Words; reloadKey: number }) {
  const t = useT();
  const pages = useCursorPages<StoredRuleSet>('/api/admin/rewards/rule-sets', {}, 10);
  const [viewing, setViewing] = useState<number | null>(null);
  const { reload } = pages;
  // Publishing or saving elsewhere on the page adds a version: read the list again.
  const seen = useRef(reloadKey);
  useEffect(() => {
    if (seen.current === reloadKey) return;
    seen.current = reloadKey;
    reload();
  }, [reloadKey, reload]);

  return (
    <Card data-testid="rule-set-versions">
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Table<StoredRuleSet>
        rowKey="version"
        loading={pages.loading}
        dataSource={pages.items}
        pagination={false}
        scroll={{ x: 900 }}
        data-testid="rule-set-versions-table"
        columns={[
          { title: t('版本', 'Version'), dataIndex: 'version', width: 80, render: (v: number) => <strong>v{v}</strong> },
          { title: t('状态', 'State'), dataIndex: 'state', width: 90, render: (s: StoredRuleSet['state']) => <StateTag state={s} /> },
          { title: t('备注', 'Note'), dataIndex: 'note', ellipsis: true, render: (v: string | null) => v || '—' },
          { title: t('规则数', 'Rules'), key: 'rules', width: 80, align: 'right', render: (_v, r) => r.body.rules.length },
          { title: t('基于', 'Based on'), dataIndex: 'basedOn', width: 80, render: (v: number | null) => (v ? `v${v}` : '—') },
          { title: t('最后修改', 'Last changed'), dataIndex: 'updatedAt', width: 150, render: (v: string) => formatDateTime(v) },
          { title: t('创建人', 'Created by'), key: 'createdBy', width: 120, render: (_v, r) => <ActorName actor={r.createdBy} done /> },
          { title: t('发布时间', 'Published at'), dataIndex: 'publishedAt', width: 150, render: (v: string | null) => formatDateTime(v) },
          { title: t('发布人', 'Published by'), key: 'by', width: 120, render: (_v, r) => <ActorName actor={r.publishedBy} done={r.publishedAt !== null} /> },
          {
            title: t('操作', 'Actions'),
            key: 'actions',
            width: 90,
            fixed: 'right',
            render: (_v, r) => (
              <Button type="link" size="small" icon={<EyeOutlined />} onClick={() => setViewing(r.version)} data-testid={`version-view-${r.version}`}>
                {t('查看', 'View')}
              </Button>
            ),
          },
        ]}
      />
      <CursorPager pages={pages} />
      <VersionDrawer version={viewing} words={words} onClose={() => setViewing(null)} />
    </Card>
  );
}
