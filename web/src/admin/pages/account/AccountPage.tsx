import { DesktopOutlined, LockOutlined, LogoutOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App, Avatar, Badge, Button, Card, Col, Descriptions, Form, Input, Popconfirm, Row, Skeleton, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { api, ApiError, errorText } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useApi, type Loaded } from '../../../shared/use-api';
import { EmptyState, ErrorAlert, PageTitle } from '../../components';
import { useStaffSession, type StaffRole } from '../../session';
import { RoleTags } from '../staff/RoleTags';

interface Me {
  id: number;
  username: string;
  displayName: string;
  roles: StaffRole[];
  status: 'active' | 'disabled';
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

interface SessionRow {
  id: number;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

interface PasswordForm {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/** The staff password policy of the server: 10+ characters with a letter and a digit. */
const STAFF_PASSWORD_MIN = 10;

/** "Chrome · Windows" from a user agent, enough to tell one's own devices apart. */
function deviceOf(ua: string | null, t: (zh: string, en: string) => string): string {
  if (!ua) return t('未知设备', 'Unknown device');
  const browser = /Edg\//.test(ua) ? 'Edge' : /MicroMessenger/.test(ua) ? t('微信', 'WeChat') : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : /^curl\//.test(ua) ? 'curl' : null;
  const os = /Windows/.test(ua) ? 'Windows' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /Linux/.test(ua) ? 'Linux' : null;
  const parts = [browser, os].filter(Boolean);
  return parts.length ? parts.join(' · ') : ua.slice(0, 40);
}

function Profile({ me }: { me: Me | undefined }) {
  const t = useT();
  return (
    <Card title={t('我的资料', 'My profile')} data-testid="account-profile">
      {!me ? (
        <Skeleton active avatar />
      ) : (
        <>
          <Space size={16} style={{ marginBottom: 16 }}>
            <Avatar size={56} style={{ background: '#1677ff', fontSize: 22 }}>{me.displayName.slice(0, 1).toUpperCase()}</Avatar>
            <div>
              <Typography.Title level={5} style={{ margin: 0 }}>{me.displayName}</Typography.Title>
              <Typography.Text type="secondary">{me.username}</Typography.Text>
            </div>
          </Space>
          <Descriptions column={1} size="small" styles={{ label: { width: 96 } }}>
            <Descriptions.Item label={t('角色', 'Roles')}><RoleTags roles={me.roles} /></Descriptions.Item>
            <Descriptions.Item label={t('状态', 'Status')}>
              {me.status === 'active' ? <Badge status="success" text={t('正常', 'Active')} /> : <Badge status="default" text={t('已停用', 'Disabled')} />}
            </Descriptions.Item>
            <Descriptions.Item label={t('最近登录', 'Last sign-in')}>{formatDateTime(me.lastLoginAt)}</Descriptions.Item>
            <Descriptions.Item label={t('创建时间', 'Created')}>{formatDateTime(me.createdAt)}</Descriptions.Item>
          </Descriptions>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
            {t('姓名和角色由所有者在「员工与角色」中管理。', 'Owners manage names and roles on the staff page.')}
          </Typography.Paragraph>
        </>
      )}
    </Card>
  );
}

function ChangePassword({ mustChange, onChanged }: { mustChange: boolean; onChanged: () => Promise<void> }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordForm>();
  const [saving, setSaving] = useState(false);

  const submit = async (v: PasswordForm) => {
    setSaving(true);
    try {
      const res = await api.put<{ otherSessionsEnded: number }>('/api/staff/password', { currentPassword: v.currentPassword, newPassword: v.newPassword });
      message.success(
        res.otherSessionsEnded > 0
          ? t(`密码已修改，其他 ${res.otherSessionsEnded} 个登录已退出`, `Password changed; ${res.otherSessionsEnded} other sessions ended`)
          : t('密码已修改', 'Password changed'),
      );
      form.resetFields();
      await onChanged();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'INVALID_CREDENTIALS') form.setFields([{ name: 'currentPassword', errors: [t('当前密码不正确', 'The current password is wrong')] }]);
      else if (e instanceof ApiError && e.code === 'WEAK_PASSWORD') form.setFields([{ name: 'newPassword', errors: [t('新密码不符合要求：至少 10 位，包含字母和数字，且不能与当前密码相同', 'At least 10 characters with a letter and a digit, different from the current one')] }]);
      else message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card title={<Space><LockOutlined />{t('修改密码', 'Change password')}</Space>} data-testid="account-password">
      <Form<PasswordForm> form={form} layout="vertical" onFinish={(v) => void submit(v)} style={{ maxWidth: 420 }} requiredMark={false}>
        <Form.Item
          name="currentPassword"
          label={mustChange ? t('临时密码', 'Temporary password') : t('当前密码', 'Current password')}
          rules={[{ required: true, message: mustChange ? t('请输入管理员提供的临时密码', 'Enter the temporary password you were given') : t('请输入当前密码', 'Enter your current password') }]}
        >
          <Input.Password autoComplete="current-password" data-testid="account-current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('新密码', 'New password')}
          extra={t('至少 10 位，需同时包含字母和数字', 'At least 10 characters, with a letter and a digit')}
          dependencies={['currentPassword']}
          rules={[
            { required: true, message: t('请输入新密码', 'Enter a new password') },
            { min: STAFF_PASSWORD_MIN, message: t('至少 10 位', 'At least 10 characters') },
            { max: 128, message: t('最多 128 位', 'At most 128 characters') },
            { pattern: /[A-Za-z]/, message: t('需包含字母', 'Needs a letter') },
            { pattern: /\d/, message: t('需包含数字', 'Needs a digit') },
            ({ getFieldValue }) => ({
              validator: async (_, v: string | undefined) => {
                if (v && v === getFieldValue('currentPassword')) throw new Error(t('新密码不能与当前密码相同', 'Must differ from the current password'));
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="account-new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('确认新密码', 'Confirm new password')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('请再次输入新密码', 'Enter the new password again') },
            ({ getFieldValue }) => ({
              validator: async (_, v: string | undefined) => {
                if (v && v !== getFieldValue('newPassword')) throw new Error(t('两次输入的密码不一致', 'The passwords do not match'));
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="account-confirm-password" />
        </Form.Item>
        <Form.Item style={{ marginBottom: 0 }}>
          <Button type="primary" htmlType="submit" loading={saving} data-testid="account-password-submit">
            {mustChange ? t('设置新密码', 'Set new password') : t('修改密码', 'Change password')}
          </Button>
          <Typography.Text type="secondary" style={{ marginLeft: 12, fontSize: 12 }}>{t('修改后，其他设备上的登录将退出', 'Your other sessions end')}</Typography.Text>
        </Form.Item>
      </Form>
    </Card>
  );
}

function Sessions({ sessions, onSignedOut }: { sessions: Loaded<{ items: SessionRow[] }>; onSignedOut: () => Promise<void> }) {
  const t = useT();
  const { message } = App.useApp();
  const [ending, setEnding] = useState(false);
  // This device first, then the most recently active.
  const items = [...(sessions.data?.items ?? [])].sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));

  const endAll = async () => {
    setEnding(true);
    try {
      const res = await api.delete<{ ended: number }>('/api/staff/sessions');
      message.success(t(`已退出全部 ${res.ended} 个登录，请重新登录`, `Signed out of ${res.ended} sessions; sign in again`));
      // This session ended too: reloading the session sends the person to the login page.
      await onSignedOut();
    } catch (e) {
      message.error(errorText(e));
      setEnding(false);
    }
  };

  return (
    <Card
      title={<Space><SafetyCertificateOutlined />{t('登录设备', 'Signed-in sessions')}</Space>}
      extra={
        <Popconfirm
          title={t('退出所有设备？', 'Sign out everywhere?')}
          description={t('包括当前设备在内的所有登录都会退出，需要重新登录。', 'Every session ends, this one included; you will sign in again.')}
          okText={t('全部退出', 'Sign out all')}
          okButtonProps={{ danger: true }}
          cancelText={t('取消', 'Cancel')}
          onConfirm={endAll}
        >
          <Button danger icon={<LogoutOutlined />} loading={ending} disabled={items.length === 0} data-testid="account-signout-all">{t('退出所有设备', 'Sign out everywhere')}</Button>
        </Popconfirm>
      }
      data-testid="account-sessions"
    >
      <ErrorAlert error={sessions.error} onRetry={sessions.reload} />
      <Table<SessionRow>
        rowKey="id"
        size="middle"
        loading={sessions.loading}
        dataSource={items}
        pagination={{ pageSize: 10, hideOnSinglePage: true, size: 'small' }}
        locale={{ emptyText: <EmptyState text={t('没有登录中的设备', 'No active sessions')} /> }}
        scroll={{ x: 720 }}
        data-testid="account-sessions-table"
        columns={[
          {
            title: t('设备', 'Device'),
            key: 'device',
            render: (_, s) => (
              <Space>
                <DesktopOutlined style={{ color: '#8c8c8c' }} />
                <Tooltip title={s.userAgent}>{deviceOf(s.userAgent, t)}</Tooltip>
                {s.current ? <Tag color="green" bordered={false}>{t('当前设备', 'This device')}</Tag> : null}
              </Space>
            ),
          },
          { title: 'IP', dataIndex: 'ip', width: 140, render: (ip: string | null) => ip ?? '—' },
          { title: t('登录时间', 'Signed in'), dataIndex: 'createdAt', width: 150, render: (v: string) => formatDateTime(v) },
          { title: t('最近活动', 'Last active'), dataIndex: 'lastSeenAt', width: 150, render: (v: string) => formatDateTime(v) },
          { title: t('过期时间', 'Expires'), dataIndex: 'expiresAt', width: 150, render: (v: string) => formatDateTime(v) },
        ]}
      />
    </Card>
  );
}

/** The signed-in person's own account: profile, password (forced after a temporary one) and sessions. */
export default function AccountPage() {
  const t = useT();
  const { me: sessionMe, refresh } = useStaffSession();
  const profile = useApi<Me>('/api/staff/me');
  const sessions = useApi<{ items: SessionRow[] }>('/api/staff/sessions');
  const mustChange = !!sessionMe?.mustChangePassword;

  return (
    <div data-testid="page-account">
      <PageTitle title={t('账号与密码', 'Account & password')} sub={t('管理你的资料、密码和登录设备。', 'Your profile, password and signed-in sessions.')} />
      {mustChange ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('请先设置新密码', 'Set a new password first')}
          description={t(
            '你正在使用管理员发放的临时密码。为保证账号安全，设置新密码后才能使用后台的其他功能。',
            'You signed in with a temporary password from an owner. Set your own password before using the rest of the console.',
          )}
          data-testid="account-must-change"
        />
      ) : null}
      <ErrorAlert error={profile.error} onRetry={profile.reload} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10} xl={8}>
          <Profile me={profile.data} />
        </Col>
        <Col xs={24} lg={14} xl={16}>
          <ChangePassword
            mustChange={mustChange}
            onChanged={async () => {
              await refresh();
              profile.reload();
              sessions.reload();
            }}
          />
        </Col>
        <Col span={24}>
          <Sessions sessions={sessions} onSignedOut={refresh} />
        </Col>
      </Row>
    </div>
  );
}
