import { FilterOutlined, ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, Card, Col, DatePicker, Descriptions, Form, Input, InputNumber, Row, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert, PageTitle } from '../../components';
import { CsvButton } from '../../CsvButton';
import { AuditDiff } from './AuditDiff';
import { actionGroups, actionNames, actorKindColors, actorKindNames, nameOf, settingsKeyNames, targetTypeNames } from './labels';

interface AuditEntry {
  id: number;
  at: string;
  actorKind: 'staff' | 'member' | 'system';
  actorId: number | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  ip: string | null;
  requestId: string | null;
}

interface StaffRow {
  id: number;
  username: string;
  displayName: string;
}

/** The filters the API takes, kept in the URL so a filtered view can be linked to (e.g. from a member's page). */
const filterKeys = ['actorKind', 'actorId', 'action', 'targetType', 'targetId', 'from', 'to'] as const;
type Filters = Partial<Record<(typeof filterKeys)[number], string>>;

interface FilterForm {
  actorKind?: string;
  actorId?: number | string;
  action?: string;
  targetType?: string;
  targetId?: string;
  range?: [Dayjs, Dayjs];
}

const seconds = (iso: string) => dayjs(iso).format('YYYY-MM-DD HH:mm:ss');

export default function AuditLogPage() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm<FilterForm>();
  const filters = useMemo<Filters>(() => Object.fromEntries(filterKeys.map((k) => [k, params.get(k) ?? undefined]).filter(([, v]) => v)), [params]);
  const pages = useCursorPages<AuditEntry>('/api/admin/audit-log', filters, 20);
  // The page is owner-only, and so is the staff list: names for the staff ids in the log.
  const staffList = useApi<{ items: StaffRow[] }>('/api/admin/staff');
  const staffName = (id: number | null) => staffList.data?.items.find((s) => s.id === id)?.displayName ?? `#${id}`;
  const actorKind = Form.useWatch('actorKind', form);

  useEffect(() => {
    form.setFieldsValue({
      actorKind: filters.actorKind,
      actorId: filters.actorKind === 'staff' && filters.actorId ? Number(filters.actorId) : filters.actorId,
      action: filters.action,
      targetType: filters.targetType,
      targetId: filters.targetId,
      range: filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : undefined,
    });
  }, [filters, form]);

  const apply = (v: FilterForm) => {
    const next: Filters = {
      actorKind: v.actorKind,
      actorId: v.actorKind && v.actorId !== undefined && v.actorId !== null && v.actorId !== '' ? String(v.actorId) : undefined,
      action: v.action,
      targetType: v.targetType,
      targetId: v.targetId?.trim() || undefined,
      // Whole days in the browser's zone (the platform's, for staff in China).
      from: v.range ? v.range[0].startOf('day').toISOString() : undefined,
      to: v.range ? v.range[1].endOf('day').toISOString() : undefined,
    };
    setParams(Object.fromEntries(Object.entries(next).filter(([, x]) => x)) as Record<string, string>);
  };
  const narrow = (extra: Filters) => setParams({ ...filters, ...extra } as Record<string, string>);

  const actionOptions = useMemo(() => {
    const groups = new Map<string, { value: string; label: string }[]>();
    for (const code of Object.keys(actionNames)) {
      const group = code.split('.')[0]!;
      const list = groups.get(group) ?? [];
      list.push({ value: code, label: `${nameOf(actionNames, code, t)} · ${code}` });
      groups.set(group, list);
    }
    return [...groups.entries()].map(([g, options]) => ({ label: nameOf(actionGroups, g, t), options }));
  }, [t]);

  const actor = (e: AuditEntry) => {
    const kind = <Tag color={actorKindColors[e.actorKind]} bordered={false}>{nameOf(actorKindNames, e.actorKind, t)}</Tag>;
    if (e.actorKind === 'staff') return <Space size={0}>{kind}{staffName(e.actorId)}</Space>;
    if (e.actorKind === 'member' && e.actorId !== null) return <Space size={0}>{kind}<Link to={`/members/${e.actorId}`}>#{e.actorId}</Link></Space>;
    return <Space size={0}>{kind}<Typography.Text type="secondary" style={{ fontSize: 12 }}>{e.requestId ?? ''}</Typography.Text></Space>;
  };

  const target = (e: AuditEntry) => {
    const type = nameOf(targetTypeNames, e.targetType, t);
    if (e.targetId === null) return type;
    const links: Record<string, string> = { member: `/members/${e.targetId}`, settlement_run: `/settlement/${e.targetId}` };
    // Names where the id means something to people; the raw id otherwise.
    const named = e.targetType === 'staff' ? staffName(Number(e.targetId)) : e.targetType === 'settings' ? nameOf(settingsKeyNames, e.targetId, t) : null;
    const link = links[e.targetType];
    return (
      <span>
        {type}{' '}
        {link ? <Link to={link}>#{e.targetId}</Link> : named ? <Typography.Text strong>{named}</Typography.Text> : <Typography.Text code>{e.targetId}</Typography.Text>}
      </span>
    );
  };

  return (
    <div data-testid="page-audit">
      <PageTitle
        title={t('审计日志', 'Audit log')}
        sub={t('记录所有配置修改、审核、调整与审批操作，最新在前；记录只增不改。', 'Every configuration change, review, adjustment and approval, newest first; entries are never changed.')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={pages.reload} loading={pages.loading}>{t('刷新', 'Refresh')}</Button>
            {/* The export takes the filters in the address, i.e. what the table shows after 查询. */}
            <CsvButton
              url={`/api/admin/audit-log.csv${Object.keys(filters).length ? `?${new URLSearchParams(filters as Record<string, string>).toString()}` : ''}`}
              filename={`audit-log-${dayjs().format('YYYY-MM-DD')}.csv`}
              testId="audit-export"
              capped
              disabled={!pages.loading && pages.page === 1 && pages.items.length === 0}
            />
          </>
        }
      />
      <Card style={{ marginBottom: 16 }} styles={{ body: { paddingBottom: 0 } }}>
        <Form<FilterForm> form={form} layout="vertical" onFinish={apply} data-testid="audit-filters">
          <Row gutter={16}>
            <Col xs={24} md={8} xl={4}>
              <Form.Item name="actorKind" label={t('操作者类型', 'Actor kind')}>
                <Select
                  allowClear
                  placeholder={t('全部', 'All')}
                  options={Object.keys(actorKindNames).map((k) => ({ value: k, label: nameOf(actorKindNames, k, t) }))}
                  onChange={() => form.setFieldValue('actorId', undefined)}
                  data-testid="audit-filter-actor-kind"
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={8} xl={4}>
              <Form.Item
                name="actorId"
                label={t('操作者', 'Actor')}
                rules={[{ pattern: /^\d+$/, message: t('请输入数字 ID', 'Enter a numeric id'), transform: (v: unknown) => (v === undefined || v === null ? v : String(v)) }]}
              >
                {actorKind === 'staff' ? (
                  <Select
                    allowClear
                    showSearch
                    optionFilterProp="label"
                    placeholder={t('选择员工', 'Choose staff')}
                    loading={staffList.loading}
                    options={(staffList.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.displayName}（${s.username}）` }))}
                    data-testid="audit-filter-actor"
                  />
                ) : (
                  <InputNumber
                    min={1}
                    precision={0}
                    style={{ width: '100%' }}
                    disabled={actorKind !== 'member'}
                    placeholder={actorKind === 'member' ? t('会员 ID', 'Member id') : t('先选择类型', 'Choose a kind first')}
                    data-testid="audit-filter-actor"
                  />
                )}
              </Form.Item>
            </Col>
            <Col xs={24} md={8} xl={5}>
              <Form.Item name="action" label={t('操作', 'Action')}>
                <Select allowClear showSearch optionFilterProp="label" placeholder={t('全部操作', 'All actions')} options={actionOptions} popupMatchSelectWidth={320} data-testid="audit-filter-action" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8} xl={3}>
              <Form.Item name="targetType" label={t('对象类型', 'Entity')}>
                <Select
                  allowClear
                  placeholder={t('全部', 'All')}
                  options={Object.keys(targetTypeNames).map((k) => ({ value: k, label: nameOf(targetTypeNames, k, t) }))}
                  popupMatchSelectWidth={160}
                  data-testid="audit-filter-target-type"
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={8} xl={3}>
              <Form.Item name="targetId" label={t('对象 ID', 'Entity id')} rules={[{ max: 100, message: t('最多 100 个字符', 'At most 100 characters') }]}>
                <Input allowClear placeholder={t('如 会员 ID', 'e.g. member id')} data-testid="audit-filter-target-id" />
              </Form.Item>
            </Col>
            <Col xs={24} md={16} xl={5}>
              <Form.Item name="range" label={t('日期范围', 'Dates')}>
                <DatePicker.RangePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs().endOf('day'))} data-testid="audit-filter-range" />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="audit-search">{t('查询', 'Search')}</Button>
              <Button onClick={() => setParams({})} disabled={Object.keys(filters).length === 0} data-testid="audit-reset">{t('重置', 'Reset')}</Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<AuditEntry>
          rowKey="id"
          loading={pages.loading}
          dataSource={pages.items}
          pagination={false}
          scroll={{ x: 960 }}
          locale={{ emptyText: <EmptyState text={Object.keys(filters).length ? t('没有符合条件的记录', 'No entry matches the filters') : t('暂无审计记录', 'No entries yet')} /> }}
          data-testid="audit-table"
          expandable={{
            expandRowByClick: true,
            expandedRowRender: (e) => (
              <div style={{ padding: '4px 8px 8px' }}>
                <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 12 }}>
                  <Descriptions.Item label={t('记录编号', 'Entry')}>{e.id}</Descriptions.Item>
                  <Descriptions.Item label={t('请求编号', 'Request id')}>
                    {e.requestId ? <Typography.Text copyable style={{ fontSize: 12 }}>{e.requestId}</Typography.Text> : '—'}
                  </Descriptions.Item>
                  <Descriptions.Item label="IP">{e.ip ?? '—'}</Descriptions.Item>
                  {e.reason ? <Descriptions.Item label={t('原因', 'Reason')} span={3}>{e.reason}</Descriptions.Item> : null}
                </Descriptions>
                <AuditDiff before={e.before} after={e.after} />
                <Space style={{ marginTop: 8 }} wrap>
                  {e.actorKind !== 'system' && e.actorId !== null ? (
                    <Button size="small" icon={<FilterOutlined />} onClick={() => narrow({ actorKind: e.actorKind, actorId: String(e.actorId) })}>
                      {t('只看此操作者', 'This actor only')}
                    </Button>
                  ) : null}
                  {e.targetId !== null ? (
                    <Button size="small" icon={<FilterOutlined />} onClick={() => narrow({ targetType: e.targetType, targetId: e.targetId! })}>
                      {t('只看此对象', 'This entity only')}
                    </Button>
                  ) : null}
                </Space>
              </div>
            ),
          }}
          columns={[
            { title: t('时间', 'Time'), dataIndex: 'at', width: 175, render: (at: string) => <span style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>{seconds(at)}</span> },
            { title: t('操作者', 'Actor'), key: 'actor', width: 160, render: (_, e) => actor(e) },
            {
              title: t('操作', 'Action'),
              dataIndex: 'action',
              width: 180,
              render: (a: string) => (
                <div>
                  <div>{nameOf(actionNames, a, t)}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>{a}</Typography.Text>
                </div>
              ),
            },
            { title: t('对象', 'Entity'), key: 'target', width: 150, render: (_, e) => target(e) },
            {
              title: t('原因', 'Reason'),
              dataIndex: 'reason',
              ellipsis: { showTitle: false },
              render: (r: string | null) => (r ? <Tooltip title={r}>{r}</Tooltip> : <Typography.Text type="secondary">—</Typography.Text>),
            },
            { title: 'IP', dataIndex: 'ip', width: 110, render: (ip: string | null) => ip ?? <Typography.Text type="secondary">—</Typography.Text> },
          ]}
        />
        <div style={{ padding: '0 16px 16px' }}>
          <CursorPager pages={pages} />
        </div>
      </Card>
    </div>
  );
}
