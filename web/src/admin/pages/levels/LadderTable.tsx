import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { Button, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useT } from '../../../shared/i18n';
import { formatMoney, ppmToPercent } from '../../../shared/money';
import { Money } from '../../components';
import { type ConditionSet, describeCondition, differencePrice, type EditableLevel, modeLabel } from './ladder';

function ConditionWords({ set, nameOfRank, empty }: { set: ConditionSet; nameOfRank: (rank: number) => string | undefined; empty: string }) {
  const t = useT();
  if (set.conditions.length === 0) return <Typography.Text type="secondary">{empty}</Typography.Text>;
  const items = set.conditions.map((c) => describeCondition(c, t, nameOfRank));
  if (items.length === 1) return <span>{items[0]}</span>;
  return (
    <div>
      <Typography.Text type="secondary">{modeLabel(set.mode, t)}：</Typography.Text>
      <ul style={{ margin: 0, paddingInlineStart: 18 }}>
        {items.map((text, i) => (
          <li key={i}>{text}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The ladder, lowest rank first, with conditions in words. With `onEdit` /
 * `onRemove` it is the editor's table; without, it only reads.
 */
export function LadderTable(props: {
  levels: EditableLevel[];
  loading?: boolean;
  upgradeByDifference: boolean;
  startingLevelId?: number;
  onEdit?: (level: EditableLevel) => void;
  onRemove?: (level: EditableLevel) => void;
  testId?: string;
  compact?: boolean;
}) {
  const t = useT();
  const sorted = [...props.levels].sort((a, b) => a.rank - b.rank);
  const nameOfRank = (rank: number) => sorted.find((l) => l.rank === rank)?.name;
  const editing = !!props.onEdit;

  const columns: ColumnsType<EditableLevel> = [
    { title: t('序号', 'Rank'), dataIndex: 'rank', width: 60, align: 'center' },
    {
      title: t('等级', 'Level'),
      key: 'name',
      width: 140,
      render: (_v, l) => (
        <Space size={4} wrap>
          <Typography.Text strong>{l.name}</Typography.Text>
          {l.id !== undefined && l.id === props.startingLevelId ? <Tag color="blue">{t('起始等级', 'Starting')}</Tag> : null}
          {!l.enabled ? <Tag>{t('已停用', 'Disabled')}</Tag> : null}
          {l.id === undefined ? <Tag color="green">{t('新增', 'New')}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('购买价格', 'Price'),
      key: 'price',
      width: 160,
      render: (_v, l) => {
        if (BigInt(l.priceFen) === 0n) return <Tag>{t('不可购买', 'Not for sale')}</Tag>;
        const index = sorted.indexOf(l);
        const below = sorted.slice(0, index).reverse().find((o) => o.enabled);
        const diff = props.upgradeByDifference ? differencePrice(l, below) : null;
        return (
          <div>
            <Money fen={l.priceFen} strong />
            {diff && below && BigInt(below.priceFen) > 0n ? (
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(`从「${below.name}」升级补 ${formatMoney(diff)}`, `${formatMoney(diff)} from “${below.name}”`)}
                </Typography.Text>
              </div>
            ) : null}
          </div>
        );
      },
    },
    {
      title: t('级差分润比例', 'Profit share'),
      dataIndex: 'rateProfitSharePpm',
      width: 100,
      align: 'right',
      render: (ppm: number) => <Typography.Text style={{ fontVariantNumeric: 'tabular-nums' }}>{ppmToPercent(ppm)}</Typography.Text>,
    },
    {
      title: t('业绩升级条件', 'Upgrade by performance'),
      key: 'upgrade',
      render: (_v, l) => <ConditionWords set={l.upgrade} nameOfRank={nameOfRank} empty={t('仅可购买或后台调整', 'Purchase or staff only')} />,
    },
    {
      title: t('保级条件', 'Keep conditions'),
      key: 'keep',
      render: (_v, l) => <ConditionWords set={l.keep} nameOfRank={nameOfRank} empty={t('无', 'None')} />,
    },
  ];
  if (!props.compact) {
    columns.push({ title: t('持有人数', 'Holders'), dataIndex: 'holders', width: 84, align: 'right' });
  }
  if (editing) {
    columns.push({
      title: t('操作', 'Actions'),
      key: 'actions',
      width: 120,
      fixed: 'right',
      render: (_v, l) => {
        const starting = l.id !== undefined && l.id === props.startingLevelId;
        const reason = starting
          ? t('起始等级不能删除', 'The starting level cannot be removed')
          : l.holders > 0
            ? t(`有 ${l.holders} 位会员持有此等级，只能停用`, `${l.holders} members hold it: disable it instead`)
            : null;
        return (
          <Space size={0}>
            <Button type="link" size="small" icon={<EditOutlined />} onClick={() => props.onEdit?.(l)} data-testid={`level-edit-${l.rank}`}>
              {t('编辑', 'Edit')}
            </Button>
            {reason ? (
              <Tooltip title={reason}>
                <Button type="link" size="small" danger icon={<DeleteOutlined />} disabled aria-label={t('删除', 'Remove')} />
              </Tooltip>
            ) : (
              <Popconfirm
                title={t(`删除等级「${l.name}」？`, `Remove “${l.name}”?`)}
                description={t('保存等级体系后生效', 'Takes effect when the ladder is saved')}
                okText={t('删除', 'Remove')}
                cancelText={t('取消', 'Cancel')}
                okButtonProps={{ danger: true }}
                onConfirm={() => props.onRemove?.(l)}
              >
                <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('删除', 'Remove')} data-testid={`level-remove-${l.rank}`} />
              </Popconfirm>
            )}
          </Space>
        );
      },
    });
  }
  return (
    <Table<EditableLevel>
      rowKey="key"
      size={props.compact ? 'small' : 'middle'}
      columns={columns}
      dataSource={sorted}
      loading={props.loading}
      pagination={false}
      scroll={{ x: 900 }}
      data-testid={props.testId}
      onRow={(l) => ({ style: l.enabled ? undefined : { color: 'rgba(0,0,0,0.45)' } })}
    />
  );
}
