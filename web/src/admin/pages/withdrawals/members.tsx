import { Select, Space, Spin, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../../shared/api';
import { maskPhone } from '../../../shared/format';
import { useT } from '../../../shared/i18n';

/**
 * Member names for the money pages. Their lists carry only member ids; the
 * names come from GET /api/admin/members/:id, fetched once per id for the
 * whole console session (names change rarely, and a stale one is harmless).
 */
export interface MemberBrief {
  id: number;
  displayName: string;
  /** Masked: 138****0001. */
  phone: string;
}

const cache = new Map<number, MemberBrief | null>();
const inflight = new Map<number, Promise<void>>();

function fetchMember(id: number): Promise<void> {
  let p = inflight.get(id);
  if (!p) {
    p = api
      .get<{ id: number; displayName: string; phone: string }>(`/api/admin/members/${id}`)
      .then((m) => void cache.set(id, { id: m.id, displayName: m.displayName, phone: maskPhone(m.phone) }))
      .catch(() => void cache.set(id, null))
      .finally(() => inflight.delete(id));
    inflight.set(id, p);
  }
  return p;
}

/** Looks up the members of a page of rows; re-renders when their names arrive. */
export function useMemberLookup(ids: readonly number[]): Map<number, MemberBrief | null> {
  const [, setTick] = useState(0);
  const key = [...new Set(ids)].sort((a, b) => a - b).join(',');
  useEffect(() => {
    const missing = key ? key.split(',').map(Number).filter((id) => !cache.has(id)) : [];
    if (missing.length === 0) return;
    let live = true;
    void Promise.all(missing.map(fetchMember)).then(() => {
      if (live) setTick((n) => n + 1);
    });
    return () => {
      live = false;
    };
  }, [key]);
  return cache;
}

/** A member as a link to its page: name, masked phone and id. */
export function MemberCell({ id, members }: { id: number; members: Map<number, MemberBrief | null> }) {
  const m = members.get(id);
  return (
    <Link to={`/members/${id}`} data-testid="member-link">
      <Space direction="vertical" size={0}>
        <Typography.Text>{m ? m.displayName : m === null ? `#${id}` : <Spin size="small" />}</Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {m ? `${m.phone} · ` : ''}ID {id}
        </Typography.Text>
      </Space>
    </Link>
  );
}

/** Pick a member by typing part of a phone, a name or an invite code. */
export function MemberPicker({ value, onChange, testId, width = 240 }: { value?: number | undefined; onChange?: (id: number | undefined) => void; testId?: string; width?: number }) {
  const t = useT();
  const [options, setOptions] = useState<{ value: number; label: string }[]>([]);
  const [searching, setSearching] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const seq = useRef(0);
  useEffect(() => () => clearTimeout(timer.current), []);
  const search = (q: string) => {
    clearTimeout(timer.current);
    if (!q.trim()) return;
    // Wait for a pause in typing; drop answers overtaken by a newer search.
    timer.current = setTimeout(() => {
      const mine = ++seq.current;
      setSearching(true);
      api
        .get<{ items: { id: number; displayName: string; phone: string }[] }>('/api/admin/members', { q: q.trim(), limit: 10 })
        .then((r) => {
          if (mine !== seq.current) return;
          for (const m of r.items) cache.set(m.id, { id: m.id, displayName: m.displayName, phone: maskPhone(m.phone) });
          setOptions(r.items.map((m) => ({ value: m.id, label: `${m.displayName} · ${maskPhone(m.phone)} · ID ${m.id}` })));
        })
        .catch(() => mine === seq.current && setOptions([]))
        .finally(() => mine === seq.current && setSearching(false));
    }, 300);
  };
  const selected = value !== undefined ? cache.get(value) : undefined;
  const allOptions = useMemo(() => {
    if (value === undefined || options.some((o) => o.value === value)) return options;
    return [{ value, label: selected ? `${selected.displayName} · ${selected.phone} · ID ${value}` : `ID ${value}` }, ...options];
  }, [options, value, selected]);
  return (
    <Select<number>
      showSearch
      allowClear
      value={value}
      placeholder={t('搜索会员：手机号/名称/邀请码', 'Find a member: phone, name or invite code')}
      filterOption={false}
      onSearch={search}
      onChange={(v) => onChange?.(v ?? undefined)}
      notFoundContent={searching ? <Spin size="small" /> : null}
      options={allOptions}
      style={{ width }}
      data-testid={testId}
    />
  );
}
