import { EditOutlined, KeyOutlined, PlusOutlined, ReloadOutlined, StopOutlined, UnlockOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Checkbox, Col, Form, Input, Modal, Popconfirm, Row, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { api, ApiError, errorText } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { EmptyState, ErrorAlert, PageTitle } from '../../components';
import { useStaffSession, type StaffRole } from '../../session';
import { allRoles, roleColors, roleDuties, roleNames, roleSummaries } from './roles';
import { RoleTags } from './RoleTags';
import { TemporaryPasswordModal } from './TemporaryPasswordModal';

interface Staff {
  id: number;
  username: string;
  displayName: string;
  roles: StaffRole[];
  status: 'active' | 'disabled';
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

interface StaffForm {
  username: string;
  displayName: string;
  roles: StaffRole[];
}

function RoleLegend() {
  const t = useT();
  return (
    <Card title={t('角色说明', 'What each role can do')} size="small" data-testid="role-legend">
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        {allRoles.map((r) => (
          <div key={r} style={{ display: 'flex', gap: 12, alignItems: 'flex-start' }}>
            <Tag color={roleColors[r]} style={{ minWidth: 52, textAlign: 'center', marginInlineEnd: 0 }}>{t(...roleNames[r])}</Tag>
            <Typography.Text type="secondary" style={{ fontSize: 13 }}>{t(...roleDuties[r])}</Typography.Text>
          </div>
        ))}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('一个员工可以有多个角色，权限取并集。', 'A person may hold several roles; the permissions add up.')}
        </Typography.Text>
      </Space>
    </Card>
  );
}

/** Create (no `editing`) or edit name and roles. The username never changes. */
function StaffModal({ open, editing, onClose, onSaved }: { open: boolean; editing: Staff | null; onClose: () => void; onSaved: (created?: { username: string; password: string }) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<StaffForm>();
  const [saving, setSaving] = useState(false);

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      if (editing) {
        await api.patch(`/api/admin/staff/${editing.id}`, { displayName: v.displayName, roles: v.roles });
        message.success(t('已保存', 'Saved'));
        onSaved();
      } else {
        const res = await api.post<{ staff: Staff; temporaryPassword: string }>('/api/admin/staff', v);
        onSaved({ username: res.staff.username, password: res.temporaryPassword });
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === 'USERNAME_TAKEN') form.setFields([{ name: 'username', errors: [t('该用户名已被使用', 'This username is taken')] }]);
      else if (e instanceof ApiError && e.code === 'LAST_OWNER') form.setFields([{ name: 'roles', errors: [t('至少要保留一名启用中的所有者', 'At least one active owner must remain')] }]);
      else message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={editing ? t(`编辑员工「${editing.username}」`, `Edit ${editing.username}`) : t('新建员工', 'New staff account')}
      okText={editing ? t('保存', 'Save') : t('创建', 'Create')}
      cancelText={t('取消', 'Cancel')}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
      data-testid="staff-modal"
    >
      <Form<StaffForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={editing ? { username: editing.username, displayName: editing.displayName, roles: editing.roles } : { roles: [] }}
      >
        <Form.Item
          name="username"
          label={t('用户名', 'Username')}
          extra={editing ? t('用户名创建后不能修改', 'A username cannot change') : t('登录用，3–32 位小写字母、数字或 . _ -，以字母开头', 'For signing in: 3–32 lowercase letters, digits or . _ -, starting with a letter')}
          normalize={(v: string) => v.toLowerCase()}
          rules={[
            { required: true, message: t('请输入用户名', 'Enter a username') },
            { pattern: /^[a-z][a-z0-9_.-]{2,31}$/, message: t('3–32 位，以字母开头，只能包含字母、数字和 . _ -', '3–32 characters starting with a letter: letters, digits, . _ -') },
          ]}
        >
          <Input disabled={!!editing} autoComplete="off" data-testid="staff-username" />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('姓名', 'Name')}
          rules={[
            { required: true, whitespace: true, message: t('请输入姓名', 'Enter a name') },
            { max: 40, message: t('最多 40 个字符', 'At most 40 characters') },
          ]}
        >
          <Input autoComplete="off" data-testid="staff-display-name" />
        </Form.Item>
        <Form.Item name="roles" label={t('角色', 'Roles')} rules={[{ required: true, type: 'array', min: 1, message: t('请至少选择一个角色', 'Choose at least one role') }]}>
          <Checkbox.Group style={{ width: '100%' }} data-testid="staff-roles">
            <Space direction="vertical" size={6}>
              {allRoles.map((r) => (
                <Checkbox key={r} value={r}>
                  <Tag color={roleColors[r]}>{t(...roleNames[r])}</Tag>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t(...roleSummaries[r])}</Typography.Text>
                </Checkbox>
              ))}
            </Space>
          </Checkbox.Group>
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Staff accounts and their roles (owners only): create, edit, disable or enable, issue a temporary password. */
export default function StaffPage() {
  const t = useT();
  const { message } = App.useApp();
  const { me } = useStaffSession();
  const list = useApi<{ items: Staff[] }>('/api/admin/staff');
  const [modal, setModal] = useState<{ editing: Staff | null } | null>(null);
  const [issued, setIssued] = useState<{ username: string; password: string; created: boolean } | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const setStatus = async (s: Staff, status: Staff['status']) => {
    setBusy(s.id);
    try {
      await api.patch(`/api/admin/staff/${s.id}`, { status });
      message.success(status === 'disabled' ? t(`已停用「${s.displayName}」，其登录已全部退出`, `${s.displayName} disabled and signed out`) : t(`已启用「${s.displayName}」`, `${s.displayName} enabled`));
      list.reload();
    } catch (e) {
      message.error(e instanceof ApiError && e.code === 'LAST_OWNER' ? t('至少要保留一名启用中的所有者', 'At least one active owner must remain') : errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const resetPassword = async (s: Staff) => {
    setBusy(s.id);
    try {
      const res = await api.post<{ temporaryPassword: string }>(`/api/admin/staff/${s.id}/reset-password`);
      setIssued({ username: s.username, password: res.temporaryPassword, created: false });
      list.reload();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const items = list.data?.items ?? [];
  return (
    <div data-testid="page-staff">
      <PageTitle
        title={t('员工与角色', 'Staff & roles')}
        sub={t('管理后台账号与权限；所有修改都会记入审计日志。', 'Console accounts and what they may do; every change is audited.')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={list.reload} loading={list.loading}>{t('刷新', 'Refresh')}</Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setModal({ editing: null })} data-testid="staff-create">{t('新建员工', 'New staff')}</Button>
          </>
        }
      />
      <ErrorAlert error={list.error} onRetry={list.reload} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={17}>
          <Card styles={{ body: { padding: 0 } }}>
            <Table<Staff>
              rowKey="id"
              loading={list.loading}
              dataSource={items}
              pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t(`共 ${n} 人`, `${n} people`) }}
              locale={{ emptyText: <EmptyState /> }}
              scroll={{ x: 900 }}
              data-testid="staff-table"
              columns={[
                {
                  title: t('员工', 'Person'),
                  key: 'who',
                  render: (_, s) => (
                    <div>
                      <Space size={6}>
                        <Typography.Text strong>{s.displayName}</Typography.Text>
                        {s.id === me?.id ? <Tag bordered={false} color="blue">{t('我', 'Me')}</Tag> : null}
                      </Space>
                      <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{s.username}</Typography.Text></div>
                    </div>
                  ),
                },
                { title: t('角色', 'Roles'), dataIndex: 'roles', render: (roles: StaffRole[]) => <RoleTags roles={roles} /> },
                {
                  title: t('状态', 'Status'),
                  key: 'status',
                  width: 150,
                  render: (_, s) => (
                    <Space direction="vertical" size={2}>
                      {s.status === 'active' ? <Badge status="success" text={t('正常', 'Active')} /> : <Badge status="default" text={t('已停用', 'Disabled')} />}
                      {s.mustChangePassword ? <Tag color="orange" bordered={false} style={{ fontSize: 12 }}>{t('待设置新密码', 'Must set a password')}</Tag> : null}
                    </Space>
                  ),
                },
                { title: t('最近登录', 'Last sign-in'), dataIndex: 'lastLoginAt', width: 150, render: (v: string | null) => (v ? formatDateTime(v) : <Typography.Text type="secondary">{t('从未登录', 'Never')}</Typography.Text>) },
                { title: t('创建时间', 'Created'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v) },
                {
                  title: t('操作', 'Actions'),
                  key: 'actions',
                  width: 290,
                  fixed: 'right',
                  render: (_, s) => {
                    const self = s.id === me?.id;
                    return (
                      <Space size={0} wrap>
                        <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setModal({ editing: s })} data-testid={`staff-edit-${s.username}`}>{t('编辑', 'Edit')}</Button>
                        <Popconfirm
                          title={t(`重置「${s.displayName}」的密码？`, `Reset ${s.displayName}'s password?`)}
                          description={t('将生成新的临时密码，对方的登录会全部退出。', 'A new temporary password is issued and their sessions end.')}
                          okText={t('重置', 'Reset')}
                          cancelText={t('取消', 'Cancel')}
                          onConfirm={() => resetPassword(s)}
                          disabled={self}
                        >
                          <Tooltip title={self ? t('请在「账号与密码」中修改自己的密码', 'Change your own password on the account page') : undefined}>
                            <Button type="link" size="small" icon={<KeyOutlined />} disabled={self} loading={busy === s.id} data-testid={`staff-reset-${s.username}`}>{t('重置密码', 'Reset password')}</Button>
                          </Tooltip>
                        </Popconfirm>
                        {s.status === 'active' ? (
                          <Popconfirm
                            title={t(`停用「${s.displayName}」？`, `Disable ${s.displayName}?`)}
                            description={t('停用后无法登录，当前登录立即失效。', 'They can no longer sign in; current sessions end now.')}
                            okText={t('停用', 'Disable')}
                            okButtonProps={{ danger: true }}
                            cancelText={t('取消', 'Cancel')}
                            onConfirm={() => setStatus(s, 'disabled')}
                            disabled={self}
                          >
                            <Tooltip title={self ? t('不能停用自己的账号', 'You cannot disable yourself') : undefined}>
                              <Button type="link" size="small" danger icon={<StopOutlined />} disabled={self} data-testid={`staff-disable-${s.username}`}>{t('停用', 'Disable')}</Button>
                            </Tooltip>
                          </Popconfirm>
                        ) : (
                          <Popconfirm
                            title={t(`启用「${s.displayName}」？`, `Enable ${s.displayName}?`)}
                            okText={t('启用', 'Enable')}
                            cancelText={t('取消', 'Cancel')}
                            onConfirm={() => setStatus(s, 'active')}
                          >
                            <Button type="link" size="small" icon={<UnlockOutlined />} data-testid={`staff-enable-${s.username}`}>{t('启用', 'Enable')}</Button>
                          </Popconfirm>
                        )}
                      </Space>
                    );
                  },
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xxl={7}>
          <RoleLegend />
        </Col>
      </Row>
      <StaffModal
        open={modal !== null}
        editing={modal?.editing ?? null}
        onClose={() => setModal(null)}
        onSaved={(created) => {
          setModal(null);
          list.reload();
          if (created) setIssued({ ...created, created: true });
        }}
      />
      <TemporaryPasswordModal issued={issued} onClose={() => setIssued(null)} />
    </div>
  );
}
