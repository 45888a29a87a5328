import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Checkbox, Form, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useT } from '../../../shared/i18n';
import { fenToYuan, YUAN_PATTERN, yuanToFen } from '../../../shared/money';
import { type Condition, type ConditionKind, conditionKinds, conditionKindLabel, type ConditionSet, type Period, periodLabel, type Scope, scopeLabel } from './ladder';

/** A condition as the form holds it: money as typed yuan, every kind's fields optional. */
export interface ConditionForm {
  kind: ConditionKind;
  period?: Period;
  minYuan?: string;
  includeSelf?: boolean;
  min?: number;
  /** ANY_LEVEL: count direct members at any level (a Select cannot hold null as a choice). */
  minLevelRank?: number;
  scope?: Scope;
}
const ANY_LEVEL = 0;

export interface ConditionSetForm {
  mode: 'all' | 'any';
  conditions: ConditionForm[];
}

export function conditionSetToForm(set: ConditionSet): ConditionSetForm {
  return {
    mode: set.mode,
    conditions: set.conditions.map((c): ConditionForm => {
      switch (c.kind) {
        case 'personal_performance':
          return { kind: c.kind, period: c.period, minYuan: fenToYuan(c.minFen, { grouping: false }) };
        case 'team_performance':
          return { kind: c.kind, period: c.period, minYuan: fenToYuan(c.minFen, { grouping: false }), includeSelf: c.includeSelf };
        case 'direct_members':
          return { kind: c.kind, min: c.min, minLevelRank: c.minLevelRank ?? ANY_LEVEL };
        case 'increment':
          return { kind: c.kind, scope: c.scope, minYuan: fenToYuan(c.minFen, { grouping: false }) };
      }
    }),
  };
}

/** Only called on values the form has validated, so every field the kind needs is there. */
export function conditionSetFromForm(form: ConditionSetForm): ConditionSet {
  return {
    mode: form.mode,
    conditions: (form.conditions ?? []).map((c): Condition => {
      const minFen = yuanToFen(c.minYuan ?? '0') ?? '0';
      switch (c.kind) {
        case 'personal_performance':
          return { kind: c.kind, period: c.period ?? 'this_month', minFen };
        case 'team_performance':
          return { kind: c.kind, period: c.period ?? 'this_month', minFen, includeSelf: !!c.includeSelf };
        case 'direct_members':
          return { kind: c.kind, min: c.min ?? 0, minLevelRank: c.minLevelRank || null };
        case 'increment':
          return { kind: c.kind, scope: c.scope ?? 'personal', minFen };
      }
    }),
  };
}

const defaults: Record<ConditionKind, ConditionForm> = {
  personal_performance: { kind: 'personal_performance', period: 'this_month', minYuan: '' },
  team_performance: { kind: 'team_performance', period: 'this_month', minYuan: '', includeSelf: true },
  direct_members: { kind: 'direct_members', min: 1, minLevelRank: ANY_LEVEL },
  increment: { kind: 'increment', scope: 'personal', minYuan: '' },
};

const MAX_CONDITIONS = 20;

/** The conditions of one set (upgrade or keep): how they combine, and each one with the fields its kind needs. */
export function ConditionSetFields({ name, levels, emptyText }: { name: 'upgrade' | 'keep'; levels: { rank: number; name: string }[]; emptyText: string }) {
  const t = useT();
  const form = Form.useFormInstance();
  const periods: Period[] = ['this_month', 'last_month', 'lifetime'];
  const yuanRules = [
    { required: true, message: t('请输入金额', 'Enter an amount') },
    { pattern: YUAN_PATTERN, message: t('金额以元为单位，最多两位小数', 'Amount in yuan, at most two decimals') },
  ];
  return (
    <>
      <Form.Item name={[name, 'mode']} label={t('组合方式', 'Combine')} style={{ marginBottom: 12 }}>
        <Radio.Group optionType="button" options={[{ value: 'all', label: t('同时满足全部条件', 'All conditions') }, { value: 'any', label: t('满足任一条件', 'Any condition') }]} />
      </Form.Item>
      <Form.List name={[name, 'conditions']}>
        {(fields, { add, remove }) => (
          <>
            {fields.length === 0 ? <Typography.Paragraph type="secondary">{emptyText}</Typography.Paragraph> : null}
            {fields.map((field) => (
              <div key={field.key} style={{ display: 'flex', gap: 8, alignItems: 'flex-start', flexWrap: 'wrap', padding: '12px 12px 0', marginBottom: 8, background: '#fafafa', borderRadius: 6 }}>
                <Form.Item name={[field.name, 'kind']} rules={[{ required: true, message: t('请选择条件类型', 'Choose a kind') }]}>
                  <Select
                    style={{ width: 130 }}
                    options={conditionKinds.map((k) => ({ value: k, label: conditionKindLabel(k, t) }))}
                    onChange={(kind: ConditionKind) => form.setFieldValue([name, 'conditions', field.name], { ...defaults[kind] })}
                  />
                </Form.Item>
                <Form.Item noStyle shouldUpdate>
                  {() => {
                    const kind = form.getFieldValue([name, 'conditions', field.name, 'kind']) as ConditionKind | undefined;
                    if (kind === 'direct_members') {
                      return (
                        <>
                          <Form.Item name={[field.name, 'minLevelRank']}>
                            <Select
                              style={{ width: 170 }}
                              options={[{ value: ANY_LEVEL, label: t('任意等级的直推', 'Directs at any level') }, ...levels.map((l) => ({ value: l.rank, label: t(`「${l.name}」及以上`, `“${l.name}” or higher`) }))]}
                            />
                          </Form.Item>
                          <Form.Item name={[field.name, 'min']} rules={[{ required: true, message: t('请输入人数', 'Enter a number') }]}>
                            <InputNumber min={0} max={1_000_000} precision={0} prefix={t('不少于', 'at least')} suffix={t('人', 'people')} style={{ width: 170 }} />
                          </Form.Item>
                        </>
                      );
                    }
                    return (
                      <>
                        {kind === 'increment' ? (
                          <Form.Item name={[field.name, 'scope']}>
                            <Select style={{ width: 100 }} options={(['personal', 'team'] as Scope[]).map((s) => ({ value: s, label: scopeLabel(s, t) }))} />
                          </Form.Item>
                        ) : (
                          <Form.Item name={[field.name, 'period']}>
                            <Select style={{ width: 100 }} options={periods.map((p) => ({ value: p, label: periodLabel(p, t) }))} />
                          </Form.Item>
                        )}
                        <Form.Item name={[field.name, 'minYuan']} rules={yuanRules}>
                          <Input prefix={`${kind === 'increment' ? t('增长不低于', 'up by ≥') : t('不低于', 'at least')} ¥`} suffix={t('元', 'yuan')} style={{ width: 230 }} inputMode="decimal" />
                        </Form.Item>
                        {kind === 'team_performance' ? (
                          <Form.Item name={[field.name, 'includeSelf']} valuePropName="checked">
                            <Checkbox>{t('含本人业绩', 'Include own')}</Checkbox>
                          </Form.Item>
                        ) : null}
                      </>
                    );
                  }}
                </Form.Item>
                <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label={t('删除条件', 'Remove condition')} style={{ marginLeft: 'auto' }} />
              </div>
            ))}
            <Space>
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ ...defaults.personal_performance })} disabled={fields.length >= MAX_CONDITIONS}>
                {t('添加条件', 'Add condition')}
              </Button>
            </Space>
          </>
        )}
      </Form.List>
    </>
  );
}
