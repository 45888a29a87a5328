import { useCallback } from 'react';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { useStaffSession } from '../../session';

interface StaffList {
  items: { id: number; displayName: string; username: string }[];
}

/**
 * Names staff ids in version histories. Only owners may list staff, so for
 * everyone else an id stays an id ("员工 #3") rather than failing.
 */
export function useStaffNames(): (kind: string | null | undefined, id: number | null | undefined) => string {
  const t = useT();
  const { can } = useStaffSession();
  const { data } = useApi<StaffList>(can('owner') ? '/api/admin/staff' : null);
  return useCallback(
    (kind, id) => {
      if (kind === 'system' || id === null || id === undefined) return t('系统', 'System');
      const person = data?.items.find((s) => s.id === id);
      if (!person) return t(`员工 #${id}`, `Staff #${id}`);
      return person.displayName === person.username ? person.username : `${person.displayName}（${person.username}）`;
    },
    [data, t],
  );
}
