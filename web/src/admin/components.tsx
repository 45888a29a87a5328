import { Alert, Button, Empty, Popconfirm, Result, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { errorText } from '../shared/api';
import { useT } from '../shared/i18n';
import { formatMoney, type Fen } from '../shared/money';
import type { CursorPages } from '../shared/use-cursor-pages';
import { useStaffSession, type StaffRole } from './session';

/** An amount of fen as ¥ with two decimals; negative in red. */
export function Money({ fen, strong }: { fen: Fen | null | undefined; strong?: boolean }) {
  const text = formatMoney(fen);
  const negative = text.startsWith('-');
  return (
    <Typography.Text strong={strong} type={negative ? 'danger' : undefined} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
      {text}
    </Typography.Text>
  );
}

export function PageTitle({ title, extra, sub }: { title: string; extra?: ReactNode; sub?: ReactNode }) {
  return (
    <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 16, gap: 16, flexWrap: 'wrap' }}>
      <div>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {sub ? <Typography.Text type="secondary">{sub}</Typography.Text> : null}
      </div>
      {extra ? <Space wrap>{extra}</Space> : null}
    </div>
  );
}

/** `title`: what failed, when it is not loading the page (running a simulation, say). */
export function ErrorAlert({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const t = useT();
  if (!error) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      message={title ?? t('加载失败', 'Could not load')}
      description={errorText(error)}
      action={onRetry ? <Button size="small" onClick={onRetry}>{t('重试', 'Retry')}</Button> : undefined}
    />
  );
}

/** Previous / next for keyset-paginated lists. */
export function CursorPager<T>({ pages }: { pages: CursorPages<T> }) {
  const t = useT();
  return (
    <Space style={{ marginTop: 16, justifyContent: 'flex-end', width: '100%' }}>
      <Typography.Text type="secondary">{t(`第 ${pages.page} 页`, `Page ${pages.page}`)}</Typography.Text>
      <Button onClick={pages.prev} disabled={!pages.hasPrev || pages.loading}>
        {t('上一页', 'Previous')}
      </Button>
      <Button onClick={pages.next} disabled={!pages.hasNext || pages.loading}>
        {t('下一页', 'Next')}
      </Button>
    </Space>
  );
}

export function EmptyState({ text }: { text?: string }) {
  const t = useT();
  return <Empty description={text ?? t('暂无数据', 'No data')} />;
}

/** A button that asks before doing something that cannot be undone. */
export function ConfirmButton(props: {
  title: string;
  description?: string;
  onConfirm: () => Promise<unknown> | void;
  children: ReactNode;
  danger?: boolean;
  type?: 'primary' | 'default' | 'link';
  disabled?: boolean;
  loading?: boolean;
}) {
  const t = useT();
  return (
    <Popconfirm title={props.title} description={props.description} okText={t('确定', 'OK')} cancelText={t('取消', 'Cancel')} onConfirm={props.onConfirm} disabled={props.disabled}>
      <Button danger={props.danger} type={props.type} disabled={props.disabled} loading={props.loading}>
        {props.children}
      </Button>
    </Popconfirm>
  );
}

/** Renders children only for the roles given (the server refuses the others anyway). */
export function RoleGate({ roles, children, fallback = null }: { roles: StaffRole[]; children: ReactNode; fallback?: ReactNode }) {
  const { can } = useStaffSession();
  return <>{can(...roles) ? children : fallback}</>;
}

export function Forbidden() {
  const t = useT();
  return <Result status="403" title="403" subTitle={t('您的角色无权访问此页面', 'Your role cannot open this page')} />;
}
