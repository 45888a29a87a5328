import { ProgressBar } from 'antd-mobile';
import { CheckCircleFill } from 'antd-mobile-icons';
import { useT } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import type { LevelCondition, MyLevel } from './types';

/** How far a condition is, 0–100, on integers (current and target are fen or head counts). */
function conditionPercent(c: LevelCondition): number {
  if (c.holds) return 100;
  const target = BigInt(c.target);
  const current = BigInt(c.current);
  if (target <= 0n) return 100;
  if (current <= 0n) return 0;
  const p = Number((current * 100n) / target);
  return p >= 100 ? 99 : p;
}

/** The way to the next level as one figure: the average of "all" conditions, the best of "any". */
export function nextLevelPercent(next: NonNullable<MyLevel['next']>): number {
  if (next.reached) return 100;
  const ps = next.conditions.map(conditionPercent);
  if (ps.length === 0) return 0;
  if (next.mode === 'any') return Math.max(...ps);
  return Math.floor(ps.reduce((a, b) => a + b, 0) / ps.length);
}

function useFigure() {
  const t = useT();
  return (value: string, unit: LevelCondition['unit']) => (unit === 'fen' ? formatMoney(value) : t(`${value} 人`, `${value}`));
}

/** One condition: its words, a bar, and "current / target". */
export function ConditionProgress({ c }: { c: LevelCondition }) {
  const figure = useFigure();
  const percent = conditionPercent(c);
  return (
    <div data-testid="level-condition" data-holds={c.holds} style={{ marginBottom: 14 }}>
      <div style={{ display: 'flex', alignItems: 'flex-start', gap: 6, fontSize: 14 }}>
        {c.holds ? <CheckCircleFill color="var(--adm-color-success)" style={{ marginTop: 2, flexShrink: 0 }} /> : null}
        <span style={{ minWidth: 0 }}>{c.text}</span>
      </div>
      <ProgressBar
        percent={percent}
        style={{ marginTop: 6, '--fill-color': c.holds ? 'var(--adm-color-success)' : 'var(--adm-color-primary)', '--track-width': '6px' }}
      />
      <div style={{ fontSize: 12, color: 'var(--adm-color-weak)', marginTop: 4, textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
        {figure(c.current, c.unit)} / {figure(c.target, c.unit)}
      </div>
    </div>
  );
}
