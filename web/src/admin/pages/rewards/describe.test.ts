import { describe, expect, it } from 'vitest';
import { problemPlace } from './describe';

const zh = (z: string) => z;
const en = (_z: string, e: string) => e;
const rules = [{ name: '直推入驻奖' }, { name: '' }];

describe('problemPlace (where a refused draft’s problem is, in words)', () => {
  it('names the rule of a request-level rule path, then the rest of the path', () => {
    expect(problemPlace('body.body.rules.0.amount.ppm', rules, zh)).toBe('规则「直推入驻奖」 · amount.ppm');
    expect(problemPlace('body.body.rules.0.amount.ppm', rules, en)).toBe('Rule “直推入驻奖” · amount.ppm');
  });
  it('numbers a rule without a name (or one not in the list) from 1', () => {
    expect(problemPlace('body.body.rules.1', rules, zh)).toBe('第 2 条规则');
    expect(problemPlace('body.body.rules.7.caps', rules, en)).toBe('Rule 8 · caps');
  });
  it('keeps other fields as they are, and gives no place for the request as a whole', () => {
    expect(problemPlace('body.body.profitShare.peer.ppm', rules, zh)).toBe('profitShare.peer.ppm');
    expect(problemPlace('body.basedOn', rules, zh)).toBe('basedOn');
    expect(problemPlace('', rules, zh)).toBeNull();
    expect(problemPlace('body', rules, zh)).toBe('body');
  });
});
