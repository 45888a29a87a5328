import { Collapse, Space, Switch, Table, Typography } from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import { useT } from '../../../shared/i18n';
import { formatMoney, ppmToPercent } from '../../../shared/money';

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: Json) => v === null || typeof v !== 'object';

/**
 * Flattens a JSON value into dotted paths (`value.feeFixedFen`,
 * `levels[2].name`) so two versions compare line by line. Arrays of plain
 * values stay whole (a list of roles reads better as one line); six levels
 * deep is enough for every record the server writes.
 */
function flatten(value: Json, prefix = '', depth = 0, out = new Map<string, Json>()): Map<string, Json> {
  if (depth < 6 && isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, depth + 1, out);
  } else if (depth < 6 && Array.isArray(value) && value.length > 0 && !value.every(isScalar)) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, depth + 1, out));
  } else {
    out.set(prefix || '(值)', value);
  }
  return out;
}

interface DiffRow {
  key: string;
  before: Json;
  after: Json;
  inBefore: boolean;
  inAfter: boolean;
  changed: boolean;
}

function diffRows(before: Json, after: Json): DiffRow[] {
  const b = before === null || before === undefined ? new Map<string, Json>() : flatten(before);
  const a = after === null || after === undefined ? new Map<string, Json>() : flatten(after);
  const keys = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
  return keys.map((key) => {
    const inBefore = b.has(key);
    const inAfter = a.has(key);
    const changed = inBefore !== inAfter || JSON.stringify(b.get(key)) !== JSON.stringify(a.get(key));
    return { key, before: b.get(key), after: a.get(key), inBefore, inAfter, changed };
  });
}

/** A value as people read it: money keys (…Fen) in ¥, rates (…Ppm) in %, the raw value beside. */
function Value({ path, value, present }: { path: string; value: Json; present: boolean }) {
  const t = useT();
  if (!present) return <Typography.Text type="secondary">—</Typography.Text>;
  if (value === null) return <Typography.Text type="secondary">{t('空', 'null')}</Typography.Text>;
  const last = path.split(/[.[]/).pop() ?? '';
  const digits = (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value));
  let readable: string | null = null;
  if (digits && /fen$/i.test(last)) readable = formatMoney(value as string | number);
  else if (digits && /ppm$/i.test(last)) readable = ppmToPercent(value as string | number);
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  return (
    <span style={{ wordBreak: 'break-all' }}>
      {readable ?? raw}
      {readable ? <Typography.Text type="secondary" style={{ marginLeft: 6, fontSize: 12 }}>({raw})</Typography.Text> : null}
    </span>
  );
}

/**
 * Before and after of one audit entry as a table of fields. Changed fields
 * are highlighted (old value struck through, new value in green); unchanged
 * ones can be hidden when there are many.
 */
export function AuditDiff({ before, after }: { before: Json; after: Json }) {
  const t = useT();
  const rows = useMemo(() => diffRows(before, after), [before, after]);
  const changedCount = rows.filter((r) => r.changed).length;
  const [onlyChanged, setOnlyChanged] = useState(rows.length - changedCount > 8);
  const shown = onlyChanged ? rows.filter((r) => r.changed) : rows;
  const hasBefore = before !== null && before !== undefined;
  const hasAfter = after !== null && after !== undefined;

  if (!hasBefore && !hasAfter) {
    return (
      <div>
        <Typography.Text type="secondary">{t('此记录没有变更内容', 'This entry records no data')}</Typography.Text>
      </div>
    );
  }

  const cell = (r: DiffRow, side: 'before' | 'after'): ReactNode => {
    const present = side === 'before' ? r.inBefore : r.inAfter;
    const node = <Value path={r.key} value={side === 'before' ? r.before : r.after} present={present} />;
    if (!r.changed || !present) return node;
    return side === 'before' ? (
      <Typography.Text type="danger" delete>{node}</Typography.Text>
    ) : (
      <Typography.Text type="success" strong>{node}</Typography.Text>
    );
  };

  return (
    <div data-testid="audit-diff">
      <Space style={{ marginBottom: 8 }} wrap>
        <Typography.Text type="secondary">
          {hasBefore && hasAfter
            ? t(`${changedCount} 个字段有变化，共 ${rows.length} 个`, `${changedCount} of ${rows.length} fields changed`)
            : hasAfter
              ? t('新建记录的内容', 'Content of the new record')
              : t('删除前的内容', 'Content before removal')}
        </Typography.Text>
        {hasBefore && hasAfter && rows.length > changedCount ? (
          <Space size={4}>
            <Switch size="small" checked={onlyChanged} onChange={setOnlyChanged} data-testid="audit-only-changed" />
            <Typography.Text>{t('只看变化', 'Changes only')}</Typography.Text>
          </Space>
        ) : null}
      </Space>
      <Table<DiffRow>
        size="small"
        rowKey="key"
        pagination={shown.length > 50 ? { pageSize: 50, size: 'small' } : false}
        dataSource={shown}
        onRow={(r) => ({ style: r.changed && hasBefore && hasAfter ? { background: '#fffbe6' } : undefined })}
        columns={[
          { title: t('字段', 'Field'), dataIndex: 'key', width: '28%', render: (k: string) => <Typography.Text code>{k}</Typography.Text> },
          ...(hasBefore ? [{ title: t('修改前', 'Before'), key: 'before', render: (_: unknown, r: DiffRow) => cell(r, 'before') }] : []),
          ...(hasAfter ? [{ title: hasBefore ? t('修改后', 'After') : t('内容', 'Value'), key: 'after', render: (_: unknown, r: DiffRow) => cell(r, 'after') }] : []),
        ]}
      />
      <Collapse
        ghost
        size="small"
        style={{ marginTop: 4 }}
        items={[
          {
            key: 'json',
            label: t('原始 JSON', 'Raw JSON'),
            children: (
              <div style={{ display: 'grid', gridTemplateColumns: hasBefore && hasAfter ? '1fr 1fr' : '1fr', gap: 12 }}>
                {hasBefore ? <pre style={preStyle}>{JSON.stringify(before, null, 2)}</pre> : null}
                {hasAfter ? <pre style={preStyle}>{JSON.stringify(after, null, 2)}</pre> : null}
              </div>
            ),
          },
        ]}
      />
    </div>
  );
}

const preStyle = { margin: 0, padding: 12, background: '#fafafa', border: '1px solid #f0f0f0', borderRadius: 6, fontSize: 12, maxHeight: 320, overflow: 'auto' } as const;
