import { Descriptions, Drawer, Skeleton, Tag, Typography } from 'antd';
import { formatDateTime } from '../../../shared/format';
import { useI18n } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert, Money } from '../../components';
import { type Entry, kindWords } from './model';
import { PostingsTable } from './PostingsTable';

export function KindTag({ kind }: { kind: string }) {
  const { lang } = useI18n();
  const w = kindWords[kind];
  return <Tag color={w?.[2] ?? 'default'}>{w ? w[lang === 'en' ? 1 : 0] : kind}</Tag>;
}

/** One journal entry (GET /api/admin/ledger/entries/:id), e.g. looked up by its number. */
export function EntryDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error, loading, reload } = useApi<Entry>(id === null ? null : `/api/admin/ledger/entries/${id}`);
  const entry = data && data.id === id ? data : undefined;
  return (
    <Drawer open={id !== null} onClose={onClose} width={760} title={t(`分录 #${id ?? ''}`, `Entry #${id ?? ''}`)} data-testid="entry-drawer">
      <ErrorAlert error={error} onRetry={reload} />
      {!entry && loading ? <Skeleton active /> : null}
      {entry ? (
        <>
          <Descriptions bordered size="small" column={2} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('类型', 'Kind')}>
              <KindTag kind={entry.kind} />
            </Descriptions.Item>
            <Descriptions.Item label={t('时间', 'Time')}>{formatDateTime(entry.createdAt)}</Descriptions.Item>
            <Descriptions.Item label={t('金额', 'Amount')}>
              <Money fen={entry.totalFen} strong />
            </Descriptions.Item>
            <Descriptions.Item label={t('来源', 'Source')}>
              <Typography.Text code>{`${entry.sourceType}:${entry.sourceId}`}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('幂等键', 'Idempotency key')} span={2}>
              <Typography.Text code copyable>
                {entry.idempotencyKey}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('摘要', 'Memo')} span={2}>
              {entry.memo ?? '—'}
            </Descriptions.Item>
          </Descriptions>
          <PostingsTable postings={entry.postings} />
        </>
      ) : null}
    </Drawer>
  );
}
