import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, ApiError, errorText } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert } from '../../components';
import { useStaffSession } from '../../session';

type Kind = 'phone' | 'id_number' | 'licence' | 'ip';

interface Entry {
  id: number;
  kind: Kind;
  value: string;
  reason: string;
  createdBy: number | null;
  createdAt: string;
}

const kinds: Kind[] = ['phone', 'id_number', 'licence', 'ip'];
const kindNames: Record<Kind, [string, string]> = {
  phone: ['手机号', 'Phone'],
  id_number: ['身份证号', 'ID number'],
  licence: ['营业执照号', 'Licence number'],
  ip: ['IP 地址', 'IP address'],
};
const kindColors: Record<Kind, string> = { phone: 'blue', id_number: 'purple', licence: 'cyan', ip: 'orange' };

/** What each kind looks like, checked before the server normalizes it (spaces, case). */
const kindPatterns: Record<Kind, RegExp> = {
  phone: /^1[3-9]\d{9}$/,
  id_number: /^\d{17}[\dXx]$/,
  licence: /^[0-9A-Za-z]{18}$/,
  ip: /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]{3,39})$/,
};

function AddModal({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ kind: Kind; value: string; reason: string }>();
  const [saving, setSaving] = useState(false);
  const kind = Form.useWatch('kind', form);

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      await api.post('/api/admin/risk/blacklist', { kind: v.kind, value: v.value.replace(/[\s-]/g, ''), reason: v.reason });
      message.success(t('已加入黑名单', 'Added to the blacklist'));
      onAdded();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) form.setFields([{ name: 'value', errors: [t('该值已在黑名单中', 'Already on the blacklist')] }]);
      else message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('加入黑名单', 'Add to the blacklist')}
      okText={t('加入', 'Add')}
      cancelText={t('取消', 'Cancel')}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
      data-testid="blacklist-add-modal"
    >
      <Typography.Paragraph type="secondary">
        {t('命中黑名单的入驻申请会被标记风险，供审核时参考。', 'Applications matching an entry are flagged for the reviewers.')}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} initialValues={{ kind: 'phone' }}>
        <Form.Item name="kind" label={t('类型', 'Kind')} rules={[{ required: true, message: t('请选择类型', 'Choose a kind') }]}>
          <Select options={kinds.map((k) => ({ value: k, label: t(...kindNames[k]) }))} data-testid="blacklist-kind" />
        </Form.Item>
        <Form.Item
          name="value"
          label={kind ? t(...kindNames[kind]) : t('值', 'Value')}
          dependencies={['kind']}
          rules={[
            { required: true, whitespace: true, message: t('请输入要加入黑名单的值', 'Enter the value') },
            {
              validator: async (_, v: string | undefined) => {
                if (!v || !kind) return;
                if (!kindPatterns[kind].test(v.replace(/[\s-]/g, ''))) throw new Error(t(`请输入正确的${kindNames[kind][0]}`, `Enter a valid ${kindNames[kind][1].toLowerCase()}`));
              },
            },
          ]}
        >
          <Input autoComplete="off" data-testid="blacklist-value" />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('原因', 'Reason')}
          rules={[
            { required: true, whitespace: true, message: t('请填写原因', 'Give a reason') },
            { min: 2, max: 500, message: t('原因为 2–500 个字符', '2–500 characters') },
          ]}
        >
          <Input.TextArea rows={3} showCount maxLength={500} data-testid="blacklist-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RemoveModal({ entry, onClose, onRemoved }: { entry: Entry | null; onClose: () => void; onRemoved: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      await api.delete(`/api/admin/risk/blacklist/${entry!.id}`, { reason: v.reason });
      message.success(t('已移出黑名单', 'Removed from the blacklist'));
      onRemoved();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={entry !== null}
      title={t('移出黑名单', 'Remove from the blacklist')}
      okText={t('移出', 'Remove')}
      okButtonProps={{ danger: true }}
      cancelText={t('取消', 'Cancel')}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
      data-testid="blacklist-remove-modal"
    >
      {entry ? (
        <Typography.Paragraph>
          {t('确定将', 'Remove')} <Tag color={kindColors[entry.kind]}>{t(...kindNames[entry.kind])}</Tag>
          <Typography.Text code>{entry.value}</Typography.Text> {t('移出黑名单？此操作会记入审计日志。', 'from the blacklist? This is audited.')}
        </Typography.Paragraph>
      ) : null}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          name="reason"
          label={t('移出原因', 'Reason')}
          rules={[
            { required: true, whitespace: true, message: t('请填写原因', 'Give a reason') },
            { min: 2, max: 500, message: t('原因为 2–500 个字符', '2–500 characters') },
          ]}
        >
          <Input.TextArea rows={3} showCount maxLength={500} data-testid="blacklist-remove-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The risk blacklist (owners and risk): phones, ID numbers, licence numbers and IPs that flag an application. */
export function BlacklistTab() {
  const t = useT();
  const { can } = useStaffSession();
  const [kind, setKind] = useState<Kind | 'all'>('all');
  const pages = useCursorPages<Entry>('/api/admin/risk/blacklist', { kind: kind === 'all' ? undefined : kind }, 20);
  // Owners may read the staff list; risk staff see the id of whoever added an entry.
  const staff = useApi<{ items: { id: number; displayName: string }[] }>(can('owner') ? '/api/admin/staff' : null);
  const staffName = (id: number | null) => (id === null ? t('系统', 'System') : (staff.data?.items.find((s) => s.id === id)?.displayName ?? t(`员工 #${id}`, `Staff #${id}`)));
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Entry | null>(null);

  return (
    <Card
      title={t('风险黑名单', 'Risk blacklist')}
      extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="blacklist-add">{t('加入黑名单', 'Add')}</Button>}
      data-testid="settings-blacklist"
    >
      <Space style={{ marginBottom: 16 }} wrap>
        <Segmented
          value={kind}
          onChange={(v) => setKind(v as Kind | 'all')}
          options={[{ value: 'all', label: t('全部', 'All') }, ...kinds.map((k) => ({ value: k, label: t(...kindNames[k]) }))]}
          data-testid="blacklist-kind-filter"
        />
        <Typography.Text type="secondary">{t('身份证号只显示后 4 位。', 'ID numbers show their last 4 digits only.')}</Typography.Text>
      </Space>
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Table<Entry>
        rowKey="id"
        size="middle"
        loading={pages.loading}
        dataSource={pages.items}
        pagination={false}
        locale={{ emptyText: <EmptyState text={t('黑名单为空', 'The blacklist is empty')} /> }}
        data-testid="blacklist-table"
        columns={[
          { title: t('类型', 'Kind'), dataIndex: 'kind', width: 120, render: (k: Kind) => <Tag color={kindColors[k]}>{t(...kindNames[k])}</Tag> },
          { title: t('值', 'Value'), dataIndex: 'value', width: 200, render: (v: string) => <Typography.Text code copyable>{v}</Typography.Text> },
          { title: t('原因', 'Reason'), dataIndex: 'reason', ellipsis: true },
          { title: t('添加人', 'Added by'), dataIndex: 'createdBy', width: 120, render: (id: number | null) => staffName(id) },
          { title: t('添加时间', 'Added'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v) },
          {
            title: t('操作', 'Actions'),
            key: 'actions',
            width: 90,
            render: (_, e) => (
              <Button type="link" danger size="small" icon={<DeleteOutlined />} onClick={() => setRemoving(e)} data-testid={`blacklist-remove-${e.id}`}>
                {t('移出', 'Remove')}
              </Button>
            ),
          },
        ]}
      />
      <CursorPager pages={pages} />
      <AddModal open={adding} onClose={() => setAdding(false)} onAdded={() => { setAdding(false); pages.reload(); }} />
      <RemoveModal entry={removing} onClose={() => setRemoving(null)} onRemoved={() => { setRemoving(null); pages.reload(); }} />
    </Card>
  );
}
