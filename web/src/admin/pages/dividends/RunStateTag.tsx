import { LoadingOutlined } from '@ant-design/icons';
import { Tag } from 'antd';
import { useT } from '../../../shared/i18n';
import { busyStates, runStateMeta, type RunState } from './model';

export function RunStateTag({ state }: { state: RunState }) {
  const t = useT();
  const meta = runStateMeta(state, t);
  return (
    <Tag color={meta.color} icon={busyStates.includes(state) ? <LoadingOutlined /> : undefined} style={{ marginInlineEnd: 0 }} data-testid="run-state">
      {meta.label}
    </Tag>
  );
}
