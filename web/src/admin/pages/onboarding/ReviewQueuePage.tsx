import { Card, Segmented, Space, Switch, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { formatDateTime, maskPhone } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert, PageTitle } from '../../components';
import { CsvButton } from '../../CsvButton';
import { applicationStates, stateColor, stateLabel, type QueueItem } from './model';
import { RiskTags } from './RiskFlags';

const ALL = 'all';

/** The review queue: submitted applications oldest first, or any other state to look things up. */
export default function ReviewQueuePage() {
  const t = useT();
  const navigate = useNavigate();
  // Filters live in the address so "back" from an application returns to the same view.
  const [params, setParams] = useSearchParams();
  const state = params.get('state') ?? 'submitted';
  const flagged = params.get('flagged') === 'true';
  const setFilter = (key: string, value: string | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (value === null) next.delete(key);
      else next.set(key, value);
      return next;
    }, { replace: true });

  const filters = { state: state === ALL ? undefined : state, flagged: flagged ? 'true' : undefined };
  const pages = useCursorPages<QueueItem>('/api/admin/onboarding', filters, 20);
  // The export takes the queue's filters, so the file holds what the table pages through.
  const csvQuery = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined)).toString();

  const columns: ColumnsType<QueueItem> = [
    {
      title: t('会员', 'Member'),
      key: 'member',
      width: 200,
      render: (_, r) => (
        <div>
          <Link to={`/onboarding/${r.memberId}`} onClick={(e) => e.stopPropagation()}>
            {r.displayName}
          </Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}> #{r.memberId}</Typography.Text>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>{maskPhone(r.phone)}</Typography.Text>
          </div>
        </div>
      ),
    },
    { title: t('商户名称', 'Business name'), dataIndex: 'businessName', ellipsis: true, render: (v: string | null) => v ?? <Typography.Text type="secondary">—</Typography.Text> },
    {
      title: t('状态', 'State'),
      dataIndex: 'state',
      width: 140,
      render: (s: string, r) => (
        <Space size={4}>
          <Tag color={stateColor(s)} style={{ marginInlineEnd: 0 }}>{stateLabel(t, s)}</Tag>
          {r.revision > 1 ? <Tag style={{ marginInlineEnd: 0 }}>{t(`第 ${r.revision} 次`, `#${r.revision}`)}</Tag> : null}
        </Space>
      ),
    },
    { title: t('风控标记', 'Risk flags'), dataIndex: 'riskCodes', width: 260, render: (codes: string[]) => <RiskTags codes={codes} /> },
    { title: t('提交时间', 'Submitted'), dataIndex: 'submittedAt', width: 150, render: (v: string | null) => formatDateTime(v) },
    {
      title: t('操作', 'Action'),
      key: 'action',
      width: 80,
      align: 'right',
      render: (_, r) => (
        <Link to={`/onboarding/${r.memberId}`} onClick={(e) => e.stopPropagation()}>
          {r.state === 'submitted' ? t('审核', 'Review') : t('查看', 'View')}
        </Link>
      ),
    },
  ];

  const stateOptions = [
    ...applicationStates.map((s) => ({ value: s, label: stateLabel(t, s) })),
    { value: ALL, label: t('全部', 'All') },
  ];

  return (
    <div data-testid="page-onboarding-queue">
      <PageTitle
        title={t('入驻审核', 'Onboarding review')}
        sub={t('按提交时间先后排列，先提交的先审核', 'Oldest submission first')}
        extra={
          <CsvButton
            url={`/api/admin/onboarding.csv${csvQuery ? `?${csvQuery}` : ''}`}
            filename={`onboarding-${dayjs().format('YYYY-MM-DD')}.csv`}
            testId="onboarding-export"
            capped
            disabled={!pages.loading && pages.page === 1 && pages.items.length === 0}
          />
        }
      />
      <Card styles={{ body: { paddingBottom: 8 } }}>
        <Space wrap size={16} style={{ marginBottom: 16, justifyContent: 'space-between', width: '100%' }}>
          <Segmented data-testid="onboarding-state-filter" value={state} options={stateOptions} onChange={(v) => setFilter('state', v === 'submitted' ? null : String(v))} />
          <Space>
            <Switch data-testid="onboarding-flagged-filter" checked={flagged} onChange={(on) => setFilter('flagged', on ? 'true' : null)} />
            <Typography.Text>{t('仅看有风控标记', 'Flagged only')}</Typography.Text>
          </Space>
        </Space>
        <ErrorAlert error={pages.error} onRetry={pages.reload} />
        <Table<QueueItem>
          data-testid="onboarding-table"
          rowKey="memberId"
          size="middle"
          columns={columns}
          dataSource={pages.items}
          loading={pages.loading}
          pagination={false}
          locale={{ emptyText: <EmptyState text={state === 'submitted' ? t('没有待审核的申请', 'Nothing awaits review') : undefined} /> }}
          onRow={(r) => ({ onClick: () => navigate(`/onboarding/${r.memberId}`), style: { cursor: 'pointer' } })}
        />
        <CursorPager pages={pages} />
      </Card>
    </div>
  );
}
