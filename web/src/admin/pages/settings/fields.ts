import type { Rule } from 'antd/es/form';
import { percentToPpm, yuanToFen } from '../../../shared/money';

type T = (zh: string, en: string) => string;

/** Rules for an amount typed in yuan (two decimals at most); `positive` refuses zero. */
export function yuanRules(t: T, opts: { positive?: boolean; max?: bigint } = {}): Rule[] {
  return [
    { required: true, whitespace: true, message: t('请输入金额', 'Enter an amount') },
    {
      validator: async (_, value: string | undefined) => {
        if (!value || !value.trim()) return;
        const fen = yuanToFen(value);
        if (fen === null) throw new Error(t('请输入正确的金额，最多两位小数', 'Enter an amount in yuan with at most two decimals'));
        if (opts.positive && BigInt(fen) <= 0n) throw new Error(t('金额必须大于 0', 'The amount must be above zero'));
        if (opts.max !== undefined && BigInt(fen) > opts.max) throw new Error(t('金额过大', 'The amount is too large'));
      },
    },
  ];
}

/** Rules for a rate typed in percent, up to `maxPpm`. */
export function percentRules(t: T, maxPpm: number): Rule[] {
  return [
    { required: true, whitespace: true, message: t('请输入费率', 'Enter a rate') },
    {
      validator: async (_, value: string | undefined) => {
        if (!value || !value.trim()) return;
        const ppm = percentToPpm(value);
        if (ppm === null) throw new Error(t('请输入百分比，最多四位小数', 'Enter a percentage with at most four decimals'));
        if (ppm > maxPpm) throw new Error(t(`不能超过 ${maxPpm / 10_000}%`, `At most ${maxPpm / 10_000}%`));
      },
    },
  ];
}

export const intRules = (t: T, min: number, max: number): Rule[] => [
  { required: true, message: t('请输入数值', 'Enter a number') },
  { type: 'integer', min, max, message: t(`请输入 ${min}–${max} 之间的整数`, `Enter a whole number from ${min} to ${max}`) },
];
