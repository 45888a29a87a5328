/** Shapes of the rewards admin API (src/modules/rewards/rewards.routes.ts); money is fen as strings. */
import type { JsonSchema } from './schema-form/schema';

export interface Label {
  zh: string;
  en: string;
}

/** A registered building block (recipient or condition) and the JSON schema of its arguments. */
export interface BlockDefinition {
  code: string;
  label: Label;
  args: JsonSchema;
}

export interface Definitions {
  triggers: { code: string; name: string }[];
  recipients: BlockDefinition[];
  conditions: BlockDefinition[];
  ruleSet: JsonSchema;
}

export interface Ref {
  code: string;
  args: Record<string, unknown>;
}

export interface Rule {
  id: string;
  name: string;
  description: string;
  trigger: string;
  recipient: Ref;
  amount: { fixedFen: string; ppm: number };
  conditions: Ref[];
  caps: { dailyFen: string | null; monthlyFen: string | null };
  priority: number;
  enabled: boolean;
  effectiveFrom: string | null;
  effectiveUntil: string | null;
}

export interface RuleSetBody {
  reach: number;
  freezeDays: number;
  ceilings: Record<string, number>;
  memberCaps: { dailyFen: string | null; monthlyFen: string | null };
  rules: Rule[];
  profitShare: { enabled: boolean; conditions: Ref[]; peer: { enabled: boolean; ppm: number; minRank: number } };
}

export interface WorstCase {
  trigger: string;
  ppm: number | null;
  ceilingPpm: number;
  parts: string[];
  unbounded?: string;
}

/** A staff member who saved or published a version; null for what the system did (the version installed with the platform). */
export interface RuleSetActor {
  id: number;
  displayName: string;
}

export interface StoredRuleSet {
  version: number;
  state: 'draft' | 'published' | 'retired';
  basedOn: number | null;
  note: string | null;
  updatedAt: string;
  publishedAt: string | null;
  createdBy: RuleSetActor | null;
  publishedBy: RuleSetActor | null;
  body: RuleSetBody;
  worstCase: WorstCase[];
}

export interface DraftResponse {
  draft: StoredRuleSet | null;
  activeVersion: number;
}

export interface ValidationResult {
  problems: { path: string; message: string }[];
  worstCase: WorstCase[];
  /** Set on a refusal by the request checks (field paths, no worst case), not by the rule-set checks. */
  requestLevel?: boolean;
}

interface Totals {
  count: number;
  totalFen: string;
}

export interface SimulationSide {
  totalFen: string;
  shareOfVolumePpm: number;
  cutFen: string;
  byRule: (Totals & { key: string; name?: string })[];
  byLevel: (Totals & { rank: number; level?: string })[];
  byTrigger: { trigger: string; events: number; volumeFen: string; totalFen: string; shareOfVolumePpm: number }[];
}

export interface Simulation {
  from: string;
  to: string;
  events: number;
  volumeFen: string;
  draftVersion: number;
  publishedVersion: number;
  draft: SimulationSide;
  published: SimulationSide;
  difference: { totalFen: string; byRule: { key: string; name: string; draftFen: string; publishedFen: string; differenceFen: string }[] };
  topRecipients: { memberId: number; name: string; draftFen: string; publishedFen: string }[];
}

export interface LadderLevel {
  id: number;
  name: string;
  rank: number;
  enabled: boolean;
}
