import { Button, DatePicker, Form, Input, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useI18n } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { MemberPicker } from '../withdrawals/members';
import { isFiltered, type OrderFilters } from './filters';
import { channelKindWords, orderStatusWords, purposeWords } from './model';

interface Channel {
  id: string;
  kind: string;
  name: string;
}

/** Channels orders can be paid through: the sandbox and the configured WeChat Pay / Alipay channels (push channels take no payments). */
function useChannelOptions() {
  const { t, lang } = useI18n();
  const channels = useApi<{ items: Channel[] }>('/api/admin/channels');
  const word = (kind: string) => channelKindWords[kind]?.[lang === 'en' ? 1 : 0] ?? kind;
  const paying = (channels.data?.items ?? []).filter((c) => c.kind === 'wechatpay' || c.kind === 'alipay');
  return [{ value: 'sandbox', label: t('模拟通道', 'Sandbox') }, ...paying.map((c) => ({ value: c.id, label: `${c.name}（${word(c.kind)}）` }))];
}

/** The order list's filters; every change goes to the server (and the address) at once, the search on Enter. */
export function OrderFilterBar({ filters, onChange }: { filters: OrderFilters; onChange: (next: OrderFilters) => void }) {
  const { t, lang } = useI18n();
  const channelOptions = useChannelOptions();
  const [search, setSearch] = useState(filters.q ?? '');
  // The address is the truth: clearing the filters or going back shows its search text.
  useEffect(() => setSearch(filters.q ?? ''), [filters.q]);
  const set = (patch: Partial<OrderFilters>) => onChange({ ...filters, ...patch });
  const options = (words: Record<string, readonly string[]>) => Object.entries(words).map(([value, w]) => ({ value, label: w[lang === 'en' ? 1 : 0] }));

  return (
    <Form layout="inline" style={{ marginBottom: 16, rowGap: 12 }} data-testid="payments-filters">
      <Form.Item>
        <Input.Search
          allowClear
          value={search}
          maxLength={64}
          placeholder={t('订单号或会员手机号（精确匹配）', 'Order no. or member phone (exact)')}
          style={{ width: 300 }}
          onChange={(e) => {
            setSearch(e.target.value);
            if (!e.target.value) set({ q: undefined });
          }}
          onSearch={(v) => set({ q: v.trim() || undefined })}
          data-testid="payments-search"
        />
      </Form.Item>
      <Form.Item label={t('状态', 'Status')}>
        <Select
          allowClear
          placeholder={t('全部', 'All')}
          style={{ width: 110 }}
          value={filters.status}
          onChange={(status?: string) => set({ status })}
          options={options(orderStatusWords)}
          data-testid="payments-status"
        />
      </Form.Item>
      <Form.Item label={t('用途', 'Purpose')}>
        <Select
          allowClear
          placeholder={t('全部', 'All')}
          style={{ width: 120 }}
          value={filters.purpose}
          onChange={(purpose?: string) => set({ purpose })}
          options={options(purposeWords)}
          data-testid="payments-purpose"
        />
      </Form.Item>
      <Form.Item label={t('通道', 'Channel')}>
        <Select
          allowClear
          placeholder={t('全部', 'All')}
          style={{ width: 170 }}
          value={filters.channelId}
          onChange={(channelId?: string) => set({ channelId })}
          options={channelOptions}
          data-testid="payments-channel"
        />
      </Form.Item>
      <Form.Item label={t('会员', 'Member')}>
        <MemberPicker value={filters.memberId} onChange={(memberId) => set({ memberId })} testId="payments-member" width={250} />
      </Form.Item>
      <Form.Item label={t('日期', 'Date')}>
        <Space.Compact>
          <Select
            style={{ width: 110 }}
            value={filters.dateBy}
            onChange={(dateBy: OrderFilters['dateBy']) => set({ dateBy })}
            options={[
              { value: 'created', label: t('创建时间', 'Created') },
              { value: 'paid', label: t('支付时间', 'Paid') },
            ]}
            data-testid="payments-date-by"
          />
          <DatePicker.RangePicker
            allowEmpty={[true, true]}
            value={[filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null]}
            onChange={(range) => set({ from: range?.[0]?.format('YYYY-MM-DD'), to: range?.[1]?.format('YYYY-MM-DD') })}
            style={{ width: 250 }}
            data-testid="payments-range"
          />
        </Space.Compact>
      </Form.Item>
      {isFiltered(filters) ? (
        <Form.Item>
          <Button type="link" onClick={() => onChange({ dateBy: 'created' })} data-testid="payments-clear-filters">
            {t('清除筛选', 'Clear filters')}
          </Button>
        </Form.Item>
      ) : null}
    </Form>
  );
}
