import { Progress, Table, Tag, Typography } from 'antd';
import { useT } from '../../../shared/i18n';
import { ppmToPercent } from '../../../shared/money';
import { ppmWordsToPercent, triggerLabel, type Words } from './describe';
import type { WorstCase } from './types';

/** Per trigger: the most one event could pay out (as a share of its amount) against its ceiling. */
export function WorstCaseTable({ rows, words }: { rows: WorstCase[]; words: Words }) {
  const t = useT();
  return (
    <Table<WorstCase>
      rowKey="trigger"
      size="small"
      pagination={false}
      dataSource={rows}
      data-testid="worst-case-table"
      columns={[
        { title: t('触发事件', 'Trigger'), dataIndex: 'trigger', width: 110, render: (v: string) => triggerLabel(v, words) },
        {
          title: t('单笔最多发放', 'Most per event'),
          key: 'ppm',
          width: 130,
          render: (_v, r) => (r.ppm === null ? <Tag color="red">{t('无法确定上限', 'Unbounded')}</Tag> : ppmToPercent(r.ppm)),
        },
        { title: t('单笔上限', 'Ceiling'), dataIndex: 'ceilingPpm', width: 100, render: (v: number) => ppmToPercent(v) },
        {
          title: t('占用', 'Used'),
          key: 'used',
          width: 170,
          render: (_v, r) => {
            if (r.ppm === null) return <Progress percent={100} status="exception" size="small" showInfo={false} />;
            const over = r.ppm > r.ceilingPpm;
            const percent = r.ceilingPpm > 0 ? Math.min(100, Math.floor((r.ppm * 100) / r.ceilingPpm)) : r.ppm > 0 ? 100 : 0;
            return <Progress percent={percent} size="small" status={over ? 'exception' : percent >= 90 ? 'active' : 'normal'} strokeColor={over ? undefined : percent >= 90 ? '#faad14' : undefined} />;
          },
        },
        {
          title: t('构成', 'Made of'),
          key: 'parts',
          render: (_v, r) =>
            r.unbounded ? (
              <Typography.Text type="danger">{r.unbounded}</Typography.Text>
            ) : r.parts.length === 0 ? (
              <Typography.Text type="secondary">{t('无发放', 'Nothing paid')}</Typography.Text>
            ) : (
              r.parts.map(ppmWordsToPercent).join(' + ')
            ),
        },
      ]}
    />
  );
}
