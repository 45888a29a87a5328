import { Space, Tag } from 'antd';
import { useT } from '../../../shared/i18n';
import type { StaffRole } from '../../session';
import { allRoles, roleColors, roleNames } from './roles';

/** A person's roles as coloured tags, always in the same order. */
export function RoleTags({ roles }: { roles: StaffRole[] }) {
  const t = useT();
  return (
    <Space size={[4, 4]} wrap>
      {allRoles.filter((r) => roles.includes(r)).map((r) => (
        <Tag key={r} color={roleColors[r]} style={{ marginInlineEnd: 0 }}>{t(...roleNames[r])}</Tag>
      ))}
    </Space>
  );
}
