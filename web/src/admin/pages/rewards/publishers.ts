import { useCallback, useEffect, useRef } from 'react';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { useStaffSession } from '../../session';
import { useStaffNames } from '../levels/staff-names';

interface AuditPage {
  items: { actorKind: string; actorId: number | null; targetId: string | null }[];
}

/**
 * Who published each rule-set version. Rule sets do not carry it, but
 * every publish is audited: owners (who may read the audit log) see the
 * name; other roles see a dash. `refreshKey` changes when the page knows a
 * version was published, so the new publisher is read.
 */
export function usePublishers(refreshKey: number): (version: number, publishedAt: string | null) => string {
  const t = useT();
  const isOwner = useStaffSession().can('owner');
  const staffName = useStaffNames();
  const { data, reload } = useApi<AuditPage>(isOwner ? '/api/admin/audit-log' : null, { action: 'rewards.published', limit: 200 });
  const seen = useRef(refreshKey);
  useEffect(() => {
    if (seen.current === refreshKey || !isOwner) return;
    seen.current = refreshKey;
    reload();
  }, [refreshKey, reload, isOwner]);
  return useCallback(
    (version, publishedAt) => {
      if (!publishedAt || !isOwner) return '—';
      const entry = data?.items.find((e) => e.targetId === String(version));
      // The first version is published by the system at install, without an audit entry.
      return entry ? staffName(entry.actorKind, entry.actorId) : data ? t('系统', 'System') : '…';
    },
    [data, isOwner, staffName, t],
  );
}
