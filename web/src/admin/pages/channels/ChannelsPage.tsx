import { EditOutlined, PlusOutlined, ReloadOutlined, ShopOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useI18n } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { EmptyState, ErrorAlert, PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { ChannelFormModal } from './ChannelFormModal';
import { MerchantsDrawer } from './MerchantsDrawer';
import { type Channel, kindWords, merchantIds, secretWords } from './model';

/** Where each kind of channel talks to us, for setting it up on the other side. */
function endpointOf(c: Channel): string | null {
  if (c.kind === 'push') return `/api/channels/${c.id}/transactions`;
  if (c.kind === 'wechatpay' || c.kind === 'alipay') return `/api/payments/notify/${c.id}`;
  return null;
}

/** 支付通道: payment and transaction-push channels, their settings and merchant references. */
export default function ChannelsPage() {
  const { t, lang } = useI18n();
  const { can } = useStaffSession();
  const manage = can('owner', 'finance');
  const { data, error, loading, reload } = useApi<{ items: Channel[] }>('/api/admin/channels');
  // undefined: closed; null: creating; a channel: editing it.
  const [editing, setEditing] = useState<Channel | null | undefined>(undefined);
  const [merchantsOf, setMerchantsOf] = useState<Channel | null>(null);
  const pick = <T,>(pair: readonly [T, T, ...unknown[]]) => (lang === 'en' ? pair[1] : pair[0]);

  const columns: ColumnsType<Channel> = [
    {
      title: t('通道', 'Channel'),
      dataIndex: 'name',
      width: 190,
      render: (name: string, c) => (
        <Space direction="vertical" size={0}>
          <Space size={6}>
            <Badge status={c.enabled ? 'success' : 'default'} />
            <Typography.Text strong>{name}</Typography.Text>
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable={{ text: c.id }}>
            {c.id} · {c.enabled ? t('启用', 'On') : t('停用', 'Off')}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('类型', 'Kind'),
      dataIndex: 'kind',
      width: 100,
      render: (k: Channel['kind']) => (
        <Tooltip title={lang === 'en' ? kindWords[k][4] : kindWords[k][3]}>
          <Tag color={kindWords[k][2]}>{pick(kindWords[k])}</Tag>
        </Tooltip>
      ),
    },
    {
      title: t('商户标识', 'Merchant ids'),
      key: 'ids',
      width: 230,
      render: (_, c) => {
        const ids = merchantIds(c);
        return ids.length ? (
          <Space direction="vertical" size={0}>
            {ids.map((i) => (
              <span key={i.label[0]} style={{ whiteSpace: 'nowrap' }}>
                <Typography.Text type="secondary">{pick(i.label)}：</Typography.Text>
                <Typography.Text code>{i.value}</Typography.Text>
              </span>
            ))}
          </Space>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        );
      },
    },
    {
      title: t('密钥', 'Secrets'),
      key: 'secrets',
      width: 150,
      render: (_, c) => {
        // Only which secrets are set; their values (even masked) stay off the screen.
        const set = Object.keys(c.secrets);
        return set.length ? (
          <Space size={[4, 4]} wrap>
            {set.map((k) => (
              <Tag key={k} color="green">
                {secretWords[k] ? pick(secretWords[k]) : k}
                {Array.isArray(c.secrets[k]) && (c.secrets[k] as unknown[]).length > 1 ? t('（轮换中 ×2）', ' (rotating ×2)') : ''} ✓
              </Tag>
            ))}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('未配置', 'None')}</Typography.Text>
        );
      },
    },
    {
      title: t('回调 / 推送地址', 'Notify / push URL'),
      key: 'endpoint',
      render: (_, c) => {
        const url = endpointOf(c);
        return url ? (
          <Typography.Text copyable={{ text: `${location.origin}${url}` }} ellipsis={{ tooltip: `${location.origin}${url}` }} style={{ fontSize: 12, maxWidth: 220 }}>
            {url}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        );
      },
    },
    {
      title: t('操作', 'Actions'),
      key: 'actions',
      width: manage ? 170 : 100,
      render: (_, c) => (
        <Space size={4}>
          {manage ? (
            <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(c)} data-testid="channel-edit">
              {t('编辑', 'Edit')}
            </Button>
          ) : null}
          <Button size="small" icon={<ShopOutlined />} onClick={() => setMerchantsOf(c)} data-testid="channel-merchants">
            {t('商户', 'Merchants')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="page-channels">
      <PageTitle
        title={t('支付通道', 'Channels')}
        sub={t('微信支付、支付宝收款通道与合作方交易推送通道；密钥加密保存，任何人都无法再次查看', 'WeChat Pay and Alipay for payments, and partner transaction push; secrets are stored encrypted and never shown again')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={reload} loading={loading}>
              {t('刷新', 'Refresh')}
            </Button>
            {manage ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="channel-create">
                {t('新增通道', 'Add channel')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card>
        <ErrorAlert error={error} onRetry={reload} />
        <Table<Channel>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={data?.items ?? []}
          loading={loading}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 960 }}
          data-testid="channels-table"
          locale={{ emptyText: <EmptyState text={t('还没有配置通道', 'No channels yet')} /> }}
        />
      </Card>
      {editing !== undefined ? <ChannelFormModal channel={editing} onClose={() => setEditing(undefined)} onSaved={() => reload()} /> : null}
      <MerchantsDrawer channel={merchantsOf} onClose={() => setMerchantsOf(null)} />
    </div>
  );
}
