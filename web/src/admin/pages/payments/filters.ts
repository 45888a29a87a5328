import dayjs from 'dayjs';
import { orderStatusWords, purposeWords } from './model';

/**
 * The order list's filters as they live in the address
 * (`?status=paid&dateBy=paid&from=2026-03-01&to=2026-03-31`), so a filtered
 * list can be linked to and survives a reload. Dates are whole days in the
 * browser's zone; the API gets the instants they start and end at.
 */
export interface OrderFilters {
  status?: string | undefined;
  purpose?: string | undefined;
  channelId?: string | undefined;
  memberId?: number | undefined;
  /** An order number or a member phone, matched exactly by the server. */
  q?: string | undefined;
  /** Which time the day range applies to. */
  dateBy: 'created' | 'paid';
  from?: string | undefined;
  to?: string | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CHANNEL_ID = /^[a-z][a-z0-9_-]{1,31}$/;
const oneOf = (value: string | undefined, words: Record<string, unknown>) => (value !== undefined && Object.keys(words).includes(value) ? value : undefined);
const validDay = (value: string | undefined) => (value !== undefined && DAY.test(value) && dayjs(value).isValid() ? value : undefined);

/** Reads the filters from the address, dropping what the API would refuse (a hand-edited link shows the whole list, not an error). */
export function readFilters(params: URLSearchParams): OrderFilters {
  const get = (key: string) => params.get(key)?.trim() || undefined;
  const memberId = Number(get('memberId'));
  const channelId = get('channelId');
  let [from, to] = [validDay(get('from')), validDay(get('to'))];
  // YYYY-MM-DD strings compare as dates; a reversed range is read the right way round.
  if (from && to && from > to) [from, to] = [to, from];
  return {
    status: oneOf(get('status'), orderStatusWords),
    purpose: oneOf(get('purpose'), purposeWords),
    channelId: channelId && CHANNEL_ID.test(channelId) ? channelId : undefined,
    memberId: Number.isSafeInteger(memberId) && memberId > 0 ? memberId : undefined,
    q: get('q')?.slice(0, 64),
    dateBy: get('dateBy') === 'paid' ? 'paid' : 'created',
    from,
    to,
  };
}

/** The address form of the filters: only what is set, and the date kind only with a date. */
export function writeFilters(f: OrderFilters): Record<string, string> {
  const hasDates = !!(f.from || f.to);
  const entries: [string, string | number | undefined][] = [
    ['status', f.status],
    ['purpose', f.purpose],
    ['channelId', f.channelId],
    ['memberId', f.memberId],
    ['q', f.q],
    ['dateBy', hasDates && f.dateBy === 'paid' ? 'paid' : undefined],
    ['from', f.from],
    ['to', f.to],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '').map(([k, v]) => [k, String(v)]));
}

/** The query GET /api/admin/payments takes: a day range becomes [start of the first day, start of the day after the last). */
export function apiQuery(f: OrderFilters): Record<string, string | number | undefined> {
  return {
    status: f.status,
    purpose: f.purpose,
    channelId: f.channelId,
    memberId: f.memberId,
    q: f.q,
    [`${f.dateBy}From`]: f.from ? dayjs(f.from).startOf('day').toISOString() : undefined,
    [`${f.dateBy}To`]: f.to ? dayjs(f.to).add(1, 'day').startOf('day').toISOString() : undefined,
  };
}

export const isFiltered = (f: OrderFilters) => !!(f.status || f.purpose || f.channelId || f.memberId || f.q || f.from || f.to);
