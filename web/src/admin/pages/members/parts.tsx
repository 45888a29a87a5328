import { Avatar, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { ppmToPercent } from '../../../shared/money';
import type { AdminMember } from './model';

const palette = ['#1677ff', '#13c2c2', '#52c41a', '#fa8c16', '#722ed1', '#eb2f96'];

/** A member's first character on a tinted avatar (the tint follows the name), so lists are easier to scan. */
export function MemberAvatar({ name, size = 32 }: { name: string; size?: number }) {
  const color = palette[[...name].reduce((n, c) => n + c.charCodeAt(0), 0) % palette.length];
  return (
    <Avatar size={size} style={{ background: color, flex: 'none', fontSize: size * 0.45 }}>
      {[...name][0] ?? '?'}
    </Avatar>
  );
}

/**
 * Small look-ups many rows repeat (the same inviter on every binding line,
 * the level of every node of the tree): one request per id per page visit.
 * A failed request is forgotten so the next render tries again.
 */
function cachedLoader<V>(url: (id: number) => string) {
  const cache = new Map<number, Promise<V>>();
  const load = (id: number): Promise<V> => {
    let p = cache.get(id);
    if (!p) {
      p = api.get<V>(url(id));
      void p.catch(() => cache.delete(id));
      cache.set(id, p);
    }
    return p;
  };
  const forget = (id: number) => cache.delete(id);
  return { load, forget };
}

export const memberCache = cachedLoader<AdminMember>((id) => `/api/admin/members/${id}`);

function useCached<V>(loader: { load: (id: number) => Promise<V> }, id: number | null): V | undefined {
  const [value, setValue] = useState<V>();
  useEffect(() => {
    if (id === null) return;
    let live = true;
    void loader.load(id).then((v) => live && setValue(v), () => undefined);
    return () => {
      live = false;
    };
  }, [loader, id]);
  return value;
}

/** A link to a member by id, showing the name once it is known. */
export function MemberName({ id }: { id: number | null }) {
  const t = useT();
  const m = useCached(memberCache, id);
  if (id === null) return <Typography.Text type="secondary">{t('无', 'None')}</Typography.Text>;
  return (
    <Link to={`/members/${id}`}>
      {m?.displayName ?? t('会员', 'Member')}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}> #{id}</Typography.Text>
    </Link>
  );
}

/** Level colours climb with the rank, so a glance tells 普通 from 代理. */
const levelColors = ['default', 'blue', 'gold', 'volcano', 'magenta', 'purple'];
export function levelColor(rank: number): string {
  return levelColors[Math.min(Math.max(rank - 1, 0), levelColors.length - 1)] ?? 'default';
}

export function LevelTag({ level, withRate }: { level: { name: string; rank: number; rateProfitSharePpm?: number }; withRate?: boolean }) {
  return (
    <Tag color={levelColor(level.rank)} style={{ marginInlineEnd: 0 }}>
      {level.name}
      {withRate && level.rateProfitSharePpm !== undefined && level.rateProfitSharePpm > 0 ? ` · ${ppmToPercent(level.rateProfitSharePpm)}` : ''}
    </Tag>
  );
}
