import { LinkOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Form, Input, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, errorText } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { EmptyState, ErrorAlert } from '../../components';
import { useStaffSession } from '../../session';
import { MemberCell, MemberPicker, useMemberLookup } from '../withdrawals/members';
import type { Channel, Merchant } from './model';

/**
 * A channel's merchant references (商户号) and the members they belong to.
 * Binding is permanent: transactions already point at the member, so the
 * server refuses to move a reference to someone else.
 */
export function MerchantsDrawer({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const t = useT();
  const { can } = useStaffSession();
  const { modal, message } = App.useApp();
  const { data, error, loading, reload } = useApi<{ items: Merchant[] }>(channel ? `/api/admin/channels/${channel.id}/merchants` : null);
  const items = data?.items ?? [];
  const members = useMemberLookup(items.map((m) => m.memberId));
  const [form] = Form.useForm<{ merchantRef: string; memberId: number }>();
  const [saving, setSaving] = useState(false);

  const bind = async () => {
    if (!channel) return;
    let v: { merchantRef: string; memberId: number };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const ref = v.merchantRef.trim();
    modal.confirm({
      title: t('绑定商户号？', 'Bind the merchant reference?'),
      content: t(`商户号「${ref}」将归属会员 ID ${v.memberId}。绑定后不可改绑，请确认无误。`, `"${ref}" will belong to member ${v.memberId}. A binding cannot be moved later.`),
      okText: t('确认绑定', 'Bind'),
      cancelText: t('取消', 'Cancel'),
      onOk: async () => {
        setSaving(true);
        try {
          await api.put(`/api/admin/channels/${channel.id}/merchants/${encodeURIComponent(ref)}`, { memberId: v.memberId });
          message.success(t('商户号已绑定', 'Merchant reference bound'));
          form.resetFields();
          reload();
        } catch (e) {
          message.error(errorText(e));
        } finally {
          setSaving(false);
        }
      },
    });
  };

  return (
    <Drawer open={channel !== null} onClose={onClose} width={680} title={t(`商户绑定 · ${channel?.name ?? ''}`, `Merchants · ${channel?.name ?? ''}`)} data-testid="merchants-drawer" destroyOnHidden>
      {can('owner', 'finance', 'ops') ? (
        <Form form={form} layout="inline" style={{ marginBottom: 16, rowGap: 8 }}>
          <Form.Item name="merchantRef" rules={[{ required: true, whitespace: true, message: t('请填写商户号', 'Enter the merchant reference') }, { max: 64, message: t('最多 64 个字符', 'At most 64 characters') }]}>
            <Input placeholder={t('通道侧商户号', 'Merchant reference')} style={{ width: 200 }} data-testid="merchant-ref" />
          </Form.Item>
          <Form.Item name="memberId" rules={[{ required: true, message: t('请选择会员', 'Choose a member') }]}>
            <MemberPicker testId="merchant-member" width={260} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" icon={<LinkOutlined />} loading={saving} onClick={() => void bind()} data-testid="merchant-bind">
              {t('绑定', 'Bind')}
            </Button>
          </Form.Item>
        </Form>
      ) : null}
      <ErrorAlert error={error} onRetry={reload} />
      <Table<Merchant>
        rowKey="merchantRef"
        size="middle"
        loading={loading}
        dataSource={items}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t(`共 ${n} 个`, `${n} in all`) }}
        data-testid="merchants-table"
        locale={{ emptyText: <EmptyState text={t('还没有绑定的商户号', 'No merchant references yet')} /> }}
        columns={[
          { title: t('商户号', 'Merchant reference'), dataIndex: 'merchantRef', render: (v: string) => <Typography.Text copyable code>{v}</Typography.Text> },
          { title: t('会员', 'Member'), dataIndex: 'memberId', render: (id: number) => <MemberCell id={id} members={members} /> },
          { title: t('绑定时间', 'Bound'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v) },
        ]}
      />
      {items.length >= 1000 ? (
        <Typography.Text type="secondary">{t('仅显示前 1000 个商户号', 'Showing the first 1,000 references')}</Typography.Text>
      ) : null}
    </Drawer>
  );
}
