import { LockOutlined } from '@ant-design/icons';
import { Card, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { formatDateTime, maskPhone } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert, PageTitle } from '../../components';
import { CsvButton } from '../../CsvButton';
import { statusColor, statusLabel, type AdminMember, type MemberStatus } from './model';
import { MemberAvatar } from './parts';

const statuses: MemberStatus[] = ['active', 'suspended', 'closed'];

export default function MembersPage() {
  const t = useT();
  const navigate = useNavigate();
  // Search and filter live in the address: "back" from a member returns to the same results.
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  const [typed, setTyped] = useState(q);
  useEffect(() => setTyped(q), [q]);
  const setFilter = (key: string, value: string) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (value) next.set(key, value);
      else next.delete(key);
      return next;
    }, { replace: true });

  const filters = { q: q || undefined, status: status || undefined };
  const pages = useCursorPages<AdminMember>('/api/admin/members', filters, 20);
  // The export takes the list's filters, so the file holds what the table pages through.
  const csvQuery = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined)).toString();

  const columns: ColumnsType<AdminMember> = [
    {
      title: t('会员', 'Member'),
      key: 'member',
      render: (_, m) => (
        <Space size={10}>
          <MemberAvatar name={m.displayName} />
          <div style={{ lineHeight: 1.35 }}>
            <Link to={`/members/${m.id}`} onClick={(e) => e.stopPropagation()}>
              {m.displayName}
            </Link>
            <div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>#{m.id}</Typography.Text>
            </div>
          </div>
        </Space>
      ),
    },
    { title: t('手机号', 'Phone'), dataIndex: 'phone', width: 140, render: (p: string) => <span style={{ fontVariantNumeric: 'tabular-nums' }}>{maskPhone(p)}</span> },
    {
      title: t('状态', 'Status'),
      dataIndex: 'status',
      width: 160,
      render: (s: string, m) => (
        <Space size={4}>
          <Tag color={statusColor(s)} style={{ marginInlineEnd: 0 }}>{statusLabel(t, s)}</Tag>
          {m.lockedUntil ? (
            <Tooltip title={t(`登录锁定至 ${formatDateTime(m.lockedUntil)}`, `Login locked until ${formatDateTime(m.lockedUntil)}`)}>
              <Tag icon={<LockOutlined />} color="red" style={{ marginInlineEnd: 0 }}>{t('锁定', 'Locked')}</Tag>
            </Tooltip>
          ) : null}
        </Space>
      ),
    },
    { title: t('注册 IP', 'Registration IP'), dataIndex: 'registrationIp', width: 150, render: (v: string | null) => v ?? '—' },
    { title: t('注册时间', 'Registered'), dataIndex: 'createdAt', width: 160, render: (v: string) => formatDateTime(v) },
    {
      title: t('操作', 'Action'),
      key: 'action',
      width: 80,
      align: 'right',
      render: (_, m) => (
        <Link to={`/members/${m.id}`} onClick={(e) => e.stopPropagation()}>
          {t('详情', 'Details')}
        </Link>
      ),
    },
  ];

  return (
    <div data-testid="page-members">
      <PageTitle
        title={t('会员管理', 'Members')}
        sub={t('按手机号、昵称或邀请码查找会员，查看资料、团队与资金', 'Find members by phone, name or invite code')}
        extra={
          <CsvButton
            url={`/api/admin/members.csv${csvQuery ? `?${csvQuery}` : ''}`}
            filename={`members-${dayjs().format('YYYY-MM-DD')}.csv`}
            testId="members-export"
            capped
            disabled={!pages.loading && pages.page === 1 && pages.items.length === 0}
          />
        }
      />
      <Card styles={{ body: { paddingBottom: 8 } }}>
        <Space wrap size={12} style={{ marginBottom: 16 }}>
          <Input.Search
            data-testid="member-search"
            allowClear
            enterButton={t('搜索', 'Search')}
            placeholder={t('手机号 / 昵称 / 邀请码', 'Phone / name / invite code')}
            style={{ width: 360 }}
            value={typed}
            maxLength={40}
            onChange={(e) => {
              setTyped(e.target.value);
              // Clearing the box shows everyone again without another click.
              if (!e.target.value) setFilter('q', '');
            }}
            onSearch={(v) => setFilter('q', v.trim())}
          />
          <Select
            data-testid="member-status-filter"
            style={{ width: 140 }}
            value={status}
            onChange={(v) => setFilter('status', v)}
            options={[{ value: '', label: t('全部状态', 'All statuses') }, ...statuses.map((s) => ({ value: s, label: statusLabel(t, s) }))]}
          />
        </Space>
        <ErrorAlert error={pages.error} onRetry={pages.reload} />
        <Table<AdminMember>
          data-testid="members-table"
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={pages.items}
          loading={pages.loading}
          pagination={false}
          locale={{ emptyText: <EmptyState text={q ? t(`没有找到与「${q}」匹配的会员`, `No member matches “${q}”`) : undefined} /> }}
          onRow={(m) => ({ onClick: () => navigate(`/members/${m.id}`), style: { cursor: 'pointer' } })}
        />
        <CursorPager pages={pages} />
      </Card>
    </div>
  );
}
