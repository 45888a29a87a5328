/**
 * The subset of JSON Schema the rewards API sends (zod's toJSONSchema of the
 * rule-set and of each registered recipient/condition), what kind of input
 * each field needs, and the conversions between the API's values (fen
 * strings, ppm integers, ISO date-times) and what people type (yuan,
 * percent, a date picker). Money and rates are recognised by name or by the
 * schema's description — the server describes every fen and ppm field.
 */
import dayjs, { type Dayjs } from 'dayjs';
import { formatDateTime } from '../../../../shared/format';
import { fenToYuan, formatMoney, percentToPpm, ppmToPercent, yuanToFen } from '../../../../shared/money';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: (string | number)[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  description?: string;
  default?: unknown;
  additionalProperties?: unknown;
}

export type FieldKind = 'money' | 'ppm' | 'datetime' | 'rank' | 'enum' | 'boolean' | 'integer' | 'number' | 'string' | 'object' | 'array' | 'ref' | 'unsupported';

/** A registered `{code, args}` building block the form offers for a field. */
export interface RefDefinition {
  code: string;
  label: { zh: string; en: string };
  args: JsonSchema;
}

export interface SchemaContext {
  /** Registries for `{code, args}` fields, by the property name that holds them (e.g. recipient, conditions). */
  refs: Record<string, RefDefinition[]>;
  /** The ladder, for fields that name a level rank. */
  levels: { rank: number; name: string }[];
}

const typesOf = (s: JsonSchema) => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/** `anyOf: [X, {type: null}]` is X that may be null (zod's nullable). */
export function unwrap(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (s.anyOf) {
    const rest = s.anyOf.filter((x) => !typesOf(x).includes('null'));
    if (rest.length === 1 && rest.length < s.anyOf.length) {
      return { schema: { ...rest[0]!, description: rest[0]!.description ?? s.description, default: s.default }, nullable: true };
    }
  }
  return { schema: s, nullable: typesOf(s).includes('null') };
}

const RANK_KEYS = /^(rank|minRank|minLevelRank)$/;

export function kindOf(key: string, s: JsonSchema): FieldKind {
  const description = (s.description ?? '').toLowerCase();
  const types = typesOf(s);
  if (/Fen$/.test(key) || description.includes('in fen')) return 'money';
  if (key === 'ppm' || /Ppm$/.test(key) || description.includes('parts per million')) return 'ppm';
  if (s.format === 'date-time') return 'datetime';
  if (s.enum) return 'enum';
  if (types.includes('integer') && RANK_KEYS.test(key)) return 'rank';
  if (types.includes('object') && s.properties?.code && s.properties.args) return 'ref';
  if (types.includes('object')) return 'object';
  if (types.includes('array')) return 'array';
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('integer')) return 'integer';
  if (types.includes('number')) return 'number';
  if (types.includes('string')) return 'string';
  return 'unsupported';
}

/** Scalars sit side by side in a grid; the others get a section of their own. */
export const isComposite = (kind: FieldKind) => kind === 'object' || kind === 'array' || kind === 'ref';

const refDefinition = (key: string, code: unknown, ctx: SchemaContext) => ctx.refs[key]?.find((d) => d.code === code);

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** A value for a new field in the API's form: its default, else the first choice / smallest number / nothing. */
export function initialValue(key: string, raw: JsonSchema, ctx: SchemaContext): unknown {
  if (raw.default !== undefined) return clone(raw.default);
  const { schema, nullable } = unwrap(raw);
  if (nullable) return null;
  switch (kindOf(key, schema)) {
    case 'money':
      return '0';
    case 'ppm':
      return 0;
    case 'rank':
      return ctx.levels[0]?.rank ?? schema.minimum ?? 1;
    case 'enum':
      return schema.enum?.[0];
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'string':
      return '';
    case 'datetime':
      return null;
    case 'array':
      return [];
    case 'ref': {
      const def = ctx.refs[key]?.[0];
      return def ? { code: def.code, args: initialValue('args', def.args, ctx) } : { code: '', args: {} };
    }
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, initialValue(k, s, ctx)]));
    case 'unsupported':
      return undefined;
  }
}

/** API value → form value. */
export function toFormValue(key: string, raw: JsonSchema, value: unknown, ctx: SchemaContext): unknown {
  const { schema } = unwrap(raw);
  switch (kindOf(key, schema)) {
    case 'money':
      return value === null || value === undefined || value === '' ? '' : fenToYuan(String(value), { grouping: false });
    case 'ppm':
      return value === null || value === undefined ? '' : ppmToPercent(value as number).replace('%', '');
    case 'datetime':
      return typeof value === 'string' && value ? dayjs(value) : null;
    case 'ref': {
      const ref = (value ?? {}) as { code?: string; args?: Record<string, unknown> };
      const def = refDefinition(key, ref.code, ctx);
      return { code: ref.code, args: def ? toFormValue('args', def.args, ref.args ?? {}, ctx) : (ref.args ?? {}) };
    }
    case 'object': {
      const obj = (value ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, toFormValue(k, s, obj[k] ?? (s.default !== undefined ? clone(s.default) : undefined), ctx)]));
    }
    case 'array':
      return ((value ?? []) as unknown[]).map((item) => toFormValue(key, schema.items ?? {}, item, ctx));
    default:
      return value === undefined && raw.default !== undefined ? clone(raw.default) : value;
  }
}

/** Form value → API value; undefined means "leave the field out" (the server fills its default). */
export function fromFormValue(key: string, raw: JsonSchema, value: unknown, ctx: SchemaContext): unknown {
  const { schema, nullable } = unwrap(raw);
  const empty = value === undefined || value === null || value === '';
  switch (kindOf(key, schema)) {
    case 'money':
      return empty ? (nullable ? null : undefined) : (yuanToFen(String(value)) ?? undefined);
    case 'ppm':
      return empty ? (nullable ? null : undefined) : (percentToPpm(String(value)) ?? undefined);
    case 'datetime':
      return empty ? (nullable ? null : undefined) : (value as Dayjs).toISOString();
    case 'ref': {
      const ref = (value ?? {}) as { code?: string; args?: unknown };
      const def = refDefinition(key, ref.code, ctx);
      return { code: ref.code, args: def ? fromFormValue('args', def.args, ref.args ?? {}, ctx) : (ref.args ?? {}) };
    }
    case 'object': {
      const obj = (value ?? {}) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(schema.properties ?? {})) {
        const v = fromFormValue(k, s, obj[k], ctx);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'array':
      return ((value ?? []) as unknown[]).map((item) => fromFormValue(key, schema.items ?? {}, item, ctx));
    case 'string':
      return typeof value === 'string' ? value.trim() : value === null && nullable ? null : undefined;
    case 'boolean':
      return value === undefined ? undefined : !!value;
    default:
      return empty ? (nullable ? null : undefined) : value;
  }
}

type T = (zh: string, en: string) => string;

/** One value in words, for read-only views and rule summaries. */
export function formatValue(key: string, raw: JsonSchema, value: unknown, ctx: SchemaContext, t: T, enumLabel: (key: string, value: string) => string): string {
  const { schema } = unwrap(raw);
  if (value === null || value === undefined || value === '') return t('不限', 'No limit');
  switch (kindOf(key, schema)) {
    case 'money':
      return formatMoney(String(value));
    case 'ppm':
      return ppmToPercent(value as number);
    case 'datetime':
      return formatDateTime(String(value));
    case 'rank': {
      const level = ctx.levels.find((l) => l.rank === value);
      return level ? `${level.name}（${t('序号', 'rank')} ${level.rank}）` : t(`等级序号 ${String(value)}`, `rank ${String(value)}`);
    }
    case 'enum':
      return enumLabel(key, String(value));
    case 'boolean':
      return value ? t('是', 'Yes') : t('否', 'No');
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}
