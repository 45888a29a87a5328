import { CheckCircleFilled, DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { Button, Popconfirm, Space, Switch, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useT } from '../../../shared/i18n';
import { ppmToPercent } from '../../../shared/money';
import { EmptyState } from '../../components';
import type { LevelNames } from './levels';
import type { Tier } from './model';
import { describeConditions } from './tier-form';

/** The tiers of one version; with `actions` the owner may switch, edit and delete them. */
export function TiersTable(props: {
  tiers: Tier[];
  levels: LevelNames;
  loading?: boolean;
  actions?: {
    busy: boolean;
    onToggle: (tier: Tier, enabled: boolean) => void;
    onEdit: (tier: Tier) => void;
    onDelete: (tier: Tier) => void;
  };
  testId?: string;
}) {
  const t = useT();
  const { actions } = props;
  const columns: ColumnsType<Tier> = [
    {
      title: t('档位', 'Tier'),
      dataIndex: 'name',
      width: 170,
      render: (_, tier) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{tier.name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {tier.id}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('奖池比例', 'Pool share'),
      dataIndex: 'poolPpm',
      width: 170,
      render: (ppm: number) => <Typography.Text style={{ fontSize: 16, fontVariantNumeric: 'tabular-nums' }}>{ppmToPercent(ppm)}</Typography.Text>,
    },
    {
      title: t('分红条件（需全部满足）', 'Conditions (all must hold)'),
      key: 'conditions',
      render: (_, tier) => (
        <Space direction="vertical" size={2}>
          {describeConditions(tier.conditions, props.levels.nameOf, t).map((line) => (
            <Typography.Text key={line}>
              <CheckCircleFilled style={{ color: '#52c41a', marginRight: 6, fontSize: 12 }} />
              {line}
            </Typography.Text>
          ))}
        </Space>
      ),
    },
    {
      title: t('状态', 'Status'),
      dataIndex: 'enabled',
      width: 100,
      render: (enabled: boolean, tier) =>
        actions ? (
          <Switch
            checked={enabled}
            disabled={actions.busy}
            checkedChildren={t('启用', 'On')}
            unCheckedChildren={t('停用', 'Off')}
            onChange={(on) => actions.onToggle(tier, on)}
            data-testid={`tier-enabled-${tier.id}`}
          />
        ) : enabled ? (
          <Tag color="success">{t('启用', 'On')}</Tag>
        ) : (
          <Tag>{t('停用', 'Off')}</Tag>
        ),
    },
  ];
  if (actions) {
    columns.push({
      title: t('操作', 'Actions'),
      key: 'actions',
      width: 150,
      render: (_, tier) => (
        <Space size={0}>
          <Button type="link" icon={<EditOutlined />} disabled={actions.busy} onClick={() => actions.onEdit(tier)} data-testid={`tier-edit-${tier.id}`}>
            {t('编辑', 'Edit')}
          </Button>
          <Popconfirm
            title={t(`删除档位「${tier.name}」？`, `Delete tier "${tier.name}"?`)}
            description={t('将保存为新版本；已开始的结算仍按其原版本计算。', 'Saved as a new version; runs already opened keep their version.')}
            okText={t('删除', 'Delete')}
            okButtonProps={{ danger: true }}
            cancelText={t('取消', 'Cancel')}
            onConfirm={() => actions.onDelete(tier)}
          >
            <Button type="link" danger icon={<DeleteOutlined />} disabled={actions.busy} data-testid={`tier-delete-${tier.id}`}>
              {t('删除', 'Delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    });
  }
  return (
    <Table<Tier>
      rowKey="id"
      columns={columns}
      dataSource={props.tiers}
      loading={props.loading}
      pagination={false}
      locale={{ emptyText: <EmptyState text={t('还没有分红档位', 'No dividend tiers yet')} /> }}
      // A switched-off tier stays listed but reads as inactive.
      onRow={(tier) => ({ style: tier.enabled ? undefined : { background: '#fafafa', color: 'rgba(0,0,0,0.45)' } })}
      data-testid={props.testId}
    />
  );
}
