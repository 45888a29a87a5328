import { useMemo } from 'react';
import { useApi } from '../../../shared/use-api';

interface Ladder {
  levels: { id: number; name: string; rank: number; enabled: boolean }[];
}

export interface LevelNames {
  /** Levels by rank, lowest first. */
  options: { rank: number; name: string }[];
  /** "银牌 (2)", or "等级 2" while the ladder loads or for a rank that no longer exists. */
  nameOf: (rank: number | null | undefined) => string;
}

/** The level ladder's names, so ranks read as names (the tiers and runs store ranks). */
export function useLevelNames(t: (zh: string, en: string) => string): LevelNames {
  const { data } = useApi<Ladder>('/api/admin/levels');
  return useMemo(() => {
    const options = (data?.levels ?? []).map((l) => ({ rank: l.rank, name: l.name })).sort((a, b) => a.rank - b.rank);
    const byRank = new Map(options.map((o) => [o.rank, o.name]));
    const nameOf = (rank: number | null | undefined) => {
      if (rank === null || rank === undefined) return t('无等级', 'No level');
      const name = byRank.get(rank);
      return name ? `${name} (${rank})` : t(`等级 ${rank}`, `Rank ${rank}`);
    };
    return { options, nameOf };
  }, [data, t]);
}
