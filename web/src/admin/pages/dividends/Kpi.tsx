import { Card, Skeleton, Typography } from 'antd';
import type { ReactNode } from 'react';

/** One headline figure: a label over a large value, with an optional line of context. */
export function Kpi({ label, value, note, loading, testId, accent }: { label: string; value: ReactNode; note?: ReactNode; loading?: boolean; testId?: string; accent?: string }) {
  return (
    <Card size="small" style={{ height: '100%', borderTop: accent ? `3px solid ${accent}` : undefined }} styles={{ body: { padding: '14px 18px' } }} data-testid={testId}>
      <Typography.Text type="secondary" style={{ fontSize: 13 }}>
        {label}
      </Typography.Text>
      {loading ? (
        <Skeleton.Input active size="small" style={{ display: 'block', marginTop: 8 }} />
      ) : (
        <div style={{ fontSize: 22, fontWeight: 600, marginTop: 4, fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>{value}</div>
      )}
      {note ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {note}
        </Typography.Text>
      ) : null}
    </Card>
  );
}
