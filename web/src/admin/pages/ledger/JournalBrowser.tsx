import { ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, Card, DatePicker, Form, Input, InputNumber, Select, Space, Table, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { formatDateTime } from '../../../shared/format';
import { useI18n } from '../../../shared/i18n';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert, Money } from '../../components';
import { CsvButton } from '../../CsvButton';
import { withQuery } from '../../../shared/api';
import { MemberPicker } from '../withdrawals/members';
import { EntryDrawer, KindTag } from './EntryDrawer';
import { type Entry, kindWords } from './model';
import { PostingsTable } from './PostingsTable';

interface Filters {
  kinds: string[];
  key: string;
  memberId: number | undefined;
  range: [Dayjs | null, Dayjs | null] | null;
}

/**
 * 账本流水: journal entries newest first, filtered by kind, key prefix,
 * member and time; each row opens to its postings. `?memberId=` in the
 * address starts with that member's entries (links from a member's page).
 */
export function JournalBrowser() {
  const { t, lang } = useI18n();
  const [params] = useSearchParams();
  const initialMember = Number(params.get('memberId')) || undefined;
  const [filters, setFilters] = useState<Filters>({ kinds: [], key: '', memberId: initialMember, range: null });
  const [keyDraft, setKeyDraft] = useState('');
  const [lookup, setLookup] = useState<number | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);

  const query = {
    kind: filters.kinds.join(','),
    key: filters.key,
    memberId: filters.memberId,
    // Whole days in the browser's zone: from the first day's start to the day after the last.
    from: filters.range?.[0]?.startOf('day').toISOString(),
    to: filters.range?.[1]?.add(1, 'day').startOf('day').toISOString(),
  };
  const pages = useCursorPages<Entry>('/api/admin/ledger/entries', query, 20);
  const filtered = filters.kinds.length > 0 || !!filters.key || filters.memberId !== undefined || !!filters.range;

  const columns: ColumnsType<Entry> = [
    {
      title: t('分录号 / 时间', 'Entry / time'),
      dataIndex: 'id',
      width: 140,
      render: (id: number, e) => (
        <Space direction="vertical" size={0}>
          <Typography.Link onClick={() => setOpenId(id)} data-testid="entry-open">
            #{id}
          </Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
            {formatDateTime(e.createdAt)}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('类型', 'Kind'), dataIndex: 'kind', width: 110, render: (k: string) => <KindTag kind={k} /> },
    {
      title: t('摘要 / 幂等键', 'Memo / key'),
      key: 'memo',
      render: (_, e) => (
        <Space direction="vertical" size={0} style={{ maxWidth: 380 }}>
          <Typography.Text ellipsis={{ tooltip: e.memo }}>{e.memo ?? '—'}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable={{ text: e.idempotencyKey }}>
            {e.idempotencyKey}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('来源', 'Source'),
      key: 'source',
      width: 170,
      render: (_, e) => (
        <Typography.Text code style={{ fontSize: 12, maxWidth: 150 }} ellipsis={{ tooltip: `${e.sourceType}:${e.sourceId}` }}>
          {`${e.sourceType}:${e.sourceId}`}
        </Typography.Text>
      ),
    },
    { title: t('金额', 'Amount'), dataIndex: 'totalFen', align: 'right', width: 120, render: (v: string) => <Money fen={v} strong /> },
    { title: t('过账', 'Postings'), key: 'n', align: 'right', width: 64, render: (_, e) => e.postings.length },
  ];

  return (
    <Card
      title={t('账本流水', 'Journal')}
      extra={
        <Space>
          <InputNumber<number>
            min={1}
            precision={0}
            placeholder={t('分录号', 'Entry no.')}
            value={lookup}
            onChange={(v) => setLookup(v)}
            onPressEnter={() => lookup && setOpenId(lookup)}
            style={{ width: 120 }}
            data-testid="entry-lookup"
          />
          <Button icon={<SearchOutlined />} disabled={!lookup} onClick={() => lookup && setOpenId(lookup)}>
            {t('查看分录', 'Open entry')}
          </Button>
          <CsvButton url={withQuery('/api/admin/ledger/entries.csv', query)} filename={`ledger-${dayjs().format('YYYYMMDD-HHmm')}.csv`} testId="journal-csv" capped />
          <Tooltip title={t('刷新', 'Refresh')}>
            <Button icon={<ReloadOutlined />} onClick={pages.reload} loading={pages.loading} />
          </Tooltip>
        </Space>
      }
    >
      <Form layout="inline" style={{ marginBottom: 16, rowGap: 12 }} data-testid="journal-filters">
        <Form.Item label={t('类型', 'Kind')}>
          <Select
            mode="multiple"
            allowClear
            maxTagCount="responsive"
            placeholder={t('全部类型', 'All kinds')}
            style={{ width: 220 }}
            value={filters.kinds}
            onChange={(kinds) => setFilters((f) => ({ ...f, kinds }))}
            options={Object.entries(kindWords).map(([k, w]) => ({ value: k, label: lang === 'en' ? w[1] : w[0] }))}
            data-testid="journal-kind"
          />
        </Form.Item>
        <Form.Item label={t('幂等键前缀', 'Key prefix')}>
          <Input.Search
            allowClear
            placeholder={t('如 withdrawal:12:', 'e.g. withdrawal:12:')}
            style={{ width: 200 }}
            value={keyDraft}
            maxLength={200}
            onChange={(e) => {
              setKeyDraft(e.target.value);
              if (!e.target.value) setFilters((f) => ({ ...f, key: '' }));
            }}
            onSearch={(v) => setFilters((f) => ({ ...f, key: v.trim() }))}
            data-testid="journal-key"
          />
        </Form.Item>
        <Form.Item label={t('会员', 'Member')}>
          <MemberPicker value={filters.memberId} onChange={(memberId) => setFilters((f) => ({ ...f, memberId }))} testId="journal-member" width={250} />
        </Form.Item>
        <Form.Item label={t('日期', 'Date')}>
          <DatePicker.RangePicker value={filters.range} onChange={(range) => setFilters((f) => ({ ...f, range }))} allowEmpty={[true, true]} data-testid="journal-range" />
        </Form.Item>
        {filtered ? (
          <Form.Item>
            <Button
              type="link"
              onClick={() => {
                setKeyDraft('');
                setFilters({ kinds: [], key: '', memberId: undefined, range: null });
              }}
            >
              {t('清除筛选', 'Clear filters')}
            </Button>
          </Form.Item>
        ) : null}
      </Form>
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Table<Entry>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={pages.items}
        loading={pages.loading}
        pagination={false}
        scroll={{ x: 900 }}
        expandable={{ expandedRowRender: (e) => <PostingsTable postings={e.postings} />, rowExpandable: (e) => e.postings.length > 0 }}
        data-testid="journal-table"
        locale={{ emptyText: <EmptyState text={filtered ? t('没有符合条件的分录', 'No entries match') : t('账本中还没有分录', 'The ledger has no entries yet')} /> }}
      />
      <CursorPager pages={pages} />
      <EntryDrawer id={openId} onClose={() => setOpenId(null)} />
    </Card>
  );
}
