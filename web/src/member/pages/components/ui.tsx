import { Button, DotLoading, ErrorBlock, Skeleton } from 'antd-mobile';
import type { CSSProperties, ReactNode } from 'react';
import { useT } from '../../../shared/i18n';
import { formatMoney, type Fen } from '../../../shared/money';
import { useErrorText } from './errors';

/** The grey page background with the standard side margins. */
export function PageBody({ children, testId, style }: { children: ReactNode; testId?: string; style?: CSSProperties }) {
  return (
    <div data-testid={testId} style={{ padding: 12, display: 'flex', flexDirection: 'column', gap: 12, ...style }}>
      {children}
    </div>
  );
}

/** A white rounded block with an optional title row. */
export function Section({ title, extra, children, style, testId }: { title?: ReactNode; extra?: ReactNode; children: ReactNode; style?: CSSProperties; testId?: string }) {
  return (
    <section data-testid={testId} style={{ background: '#fff', borderRadius: 12, padding: 16, minWidth: 0, overflow: 'hidden', ...style }}>
      {title || extra ? (
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8, marginBottom: 12 }}>
          <div style={{ fontSize: 16, fontWeight: 600, minWidth: 0 }}>{title}</div>
          {extra ? <div style={{ flexShrink: 0, fontSize: 14 }}>{extra}</div> : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}

/** Placeholder blocks while a page's first data loads. */
export function PageSkeleton({ rows = 3 }: { rows?: number }) {
  return (
    <PageBody>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} style={{ background: '#fff', borderRadius: 12, padding: 16 }}>
          <Skeleton.Title animated />
          <Skeleton.Paragraph lineCount={3} animated />
        </div>
      ))}
    </PageBody>
  );
}

export function InlineLoading({ text }: { text?: string }) {
  const t = useT();
  return (
    <div style={{ padding: 24, textAlign: 'center', color: 'var(--adm-color-weak)' }}>
      <span>{text ?? t('加载中', 'Loading')}</span>
      <DotLoading />
    </div>
  );
}

/** A failed load in words, with a retry. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const errText = useErrorText();
  return (
    <ErrorBlock status="default" title={t('加载失败', 'Could not load')} description={errText(error)} style={{ padding: '32px 16px' }}>
      {onRetry ? (
        <Button color="primary" fill="outline" size="small" onClick={onRetry} data-testid="retry">
          {t('重试', 'Retry')}
        </Button>
      ) : null}
    </ErrorBlock>
  );
}

/** ¥ with two decimals, tabular digits; `signed` adds + to positive amounts (statement lines). */
export function Money({ fen, signed, style }: { fen: Fen | null | undefined; signed?: boolean; style?: CSSProperties }) {
  let text = formatMoney(fen);
  if (signed && fen !== null && fen !== undefined && BigInt(fen) > 0n) text = `+${text}`;
  return <span style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap', ...style }}>{text}</span>;
}

/** A label over a figure, for the summary rows of cards. */
export function Stat({ label, value, testId, light }: { label: ReactNode; value: ReactNode; testId?: string; light?: boolean }) {
  return (
    <div data-testid={testId} style={{ flex: 1, minWidth: 0, textAlign: 'center' }}>
      <div style={{ fontSize: 18, fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis' }}>{value}</div>
      <div style={{ fontSize: 12, marginTop: 4, color: light ? 'rgba(255,255,255,.85)' : 'var(--adm-color-weak)' }}>{label}</div>
    </div>
  );
}

