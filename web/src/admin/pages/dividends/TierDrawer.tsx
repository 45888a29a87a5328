import { Alert, Button, Checkbox, Col, Divider, Drawer, Form, Input, InputNumber, Row, Select, Space, Switch, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { useT } from '../../../shared/i18n';
import { percentToPpm, ppmToPercent, yuanToFen } from '../../../shared/money';
import type { LevelNames } from './levels';
import type { Tier } from './model';
import {
  describeConditions, emptyTierForm, enabledPoolPpm, formConditions, hasCondition, MAX_ENABLED_POOL_PPM, MAX_TIER_POOL_PPM,
  signedYuanToFen, TIER_ID_PATTERN, tierToForm, type TierFormValues,
} from './tier-form';

/**
 * Adds or edits one tier. Saving sends the whole set with this tier in it
 * (the parent does the request, so a 409 reloads the page's copy).
 */
export function TierDrawer(props: {
  open: boolean;
  /** null: a new tier. */
  editing: Tier | null;
  tiers: Tier[];
  nextVersion: number;
  levels: LevelNames;
  saving: boolean;
  onClose: () => void;
  onSave: (tier: Tier, note: string | null) => Promise<boolean>;
}) {
  const t = useT();
  const [form] = Form.useForm<TierFormValues>();
  const [submitted, setSubmitted] = useState(false);
  const { editing, tiers, open } = props;

  useEffect(() => {
    if (!open) return;
    setSubmitted(false);
    form.resetFields();
    form.setFieldsValue(editing ? tierToForm(editing) : emptyTierForm(tiers.map((x) => x.id)));
  }, [open, editing]);

  const values = Form.useWatch([], form) as TierFormValues | undefined;
  const conditions = values ? formConditions(values) : null;
  const noCondition = !!values && !values.teamOn && !values.personalOn && !values.directsOn && !values.incrementOn;
  const others = tiers.filter((x) => x.id !== editing?.id);
  const othersPpm = enabledPoolPpm(others);

  const yuanRule = (signed = false) => ({
    validator: (_: unknown, v: string | undefined) => {
      if (!v?.trim()) return Promise.reject(new Error(t('请输入金额', 'Enter an amount')));
      const ok = signed ? signedYuanToFen(v) !== null : yuanToFen(v) !== null;
      return ok ? Promise.resolve() : Promise.reject(new Error(t('请输入正确的金额（元），最多两位小数', 'Enter an amount in yuan with at most two decimals')));
    },
  });

  const submit = async () => {
    setSubmitted(true);
    const ok = await form.validateFields().then(() => true, () => false);
    // Every value, also those of conditions switched off (validateFields returns only the mounted ones).
    const v = form.getFieldsValue(true) as TierFormValues;
    if (!ok || noCondition) return;
    const tier: Tier = { id: v.id.trim(), name: v.name.trim(), poolPpm: percentToPpm(v.poolPercent)!, enabled: v.enabled, conditions: formConditions(v) };
    if (!hasCondition(tier.conditions)) return;
    const saved = await props.onSave(tier, v.note?.trim() || null);
    if (saved) props.onClose();
  };

  const poolPpm = values?.poolPercent ? percentToPpm(values.poolPercent) : null;
  const preview = values && conditions && poolPpm !== null && hasCondition(conditions)
    ? t(
        `${values.name || '本档位'}：平台当月交易额 × ${ppmToPercent(poolPpm)} 为奖池，${describeConditions(conditions, props.levels.nameOf, t).join('，')} 的商户平分`,
        `${values.name || 'This tier'}: ${ppmToPercent(poolPpm)} of the month's platform volume, shared equally by merchants with ${describeConditions(conditions, props.levels.nameOf, t).join(', ')}`,
      )
    : null;

  return (
    <Drawer
      title={editing ? t(`编辑档位「${editing.name}」`, `Edit tier "${editing.name}"`) : t('新增分红档位', 'New dividend tier')}
      width={600}
      open={open}
      onClose={props.onClose}
      forceRender
      data-testid="tier-drawer"
      footer={
        <Space style={{ display: 'flex', justifyContent: 'space-between' }}>
          <Typography.Text type="secondary">{t(`保存后生成分红档位 v${props.nextVersion}`, `Saving creates tiers v${props.nextVersion}`)}</Typography.Text>
          <Space>
            <Button onClick={props.onClose}>{t('取消', 'Cancel')}</Button>
            <Button type="primary" loading={props.saving} onClick={() => void submit()} data-testid="tier-save">
              {t('保存为新版本', 'Save as new version')}
            </Button>
          </Space>
        </Space>
      }
    >
      <Form form={form} layout="vertical" disabled={props.saving}>
        <Row gutter={16}>
          <Col span={14}>
            <Form.Item
              name="name"
              label={t('档位名称', 'Tier name')}
              rules={[
                { required: true, whitespace: true, message: t('请输入档位名称', 'Enter the tier name') },
                { max: 40, message: t('档位名称最多 40 个字', 'At most 40 characters') },
              ]}
            >
              <Input placeholder={t('如：基础分红', 'e.g. Basic dividend')} data-testid="tier-name" />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item
              name="id"
              label={t('档位编码', 'Tier code')}
              tooltip={t('用于导出与记账，保存后不可修改', 'Used in exports and the ledger; fixed once saved')}
              rules={[
                { required: true, message: t('请输入档位编码', 'Enter the tier code') },
                { pattern: TIER_ID_PATTERN, message: t('以小写字母开头，仅含小写字母、数字、_ 或 -，最多 32 位', 'Lower-case letter first, then letters, digits, _ or -; at most 32') },
                { validator: (_, v: string) => (others.some((x) => x.id === v?.trim()) ? Promise.reject(new Error(t('该编码已被其他档位使用', 'Another tier uses this code'))) : Promise.resolve()) },
              ]}
            >
              <Input disabled={!!editing} data-testid="tier-id" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={14}>
            <Form.Item
              name="poolPercent"
              label={t('奖池比例', 'Pool')}
              dependencies={['enabled']}
              extra={t(
                `平台当月交易额的百分比；单档不超过 20%，启用档位合计不超过 30%（其他启用档位已占 ${ppmToPercent(othersPpm)}）`,
                `Share of the month's platform volume; at most 20% per tier and 30% for all enabled tiers (others use ${ppmToPercent(othersPpm)})`,
              )}
              rules={[
                { required: true, message: t('请输入奖池比例', 'Enter the pool share') },
                ({ getFieldValue }) => ({
                  validator: (_, v: string | undefined) => {
                    if (!v) return Promise.resolve();
                    const ppm = percentToPpm(v);
                    if (ppm === null) return Promise.reject(new Error(t('请输入百分比数字，最多四位小数', 'Enter a percentage with at most four decimals')));
                    if (ppm < 1) return Promise.reject(new Error(t('奖池比例必须大于 0', 'The pool must be above 0')));
                    if (ppm > MAX_TIER_POOL_PPM) return Promise.reject(new Error(t('单个档位的奖池不能超过 20%', 'One tier’s pool is at most 20%')));
                    if (getFieldValue('enabled') && othersPpm + ppm > MAX_ENABLED_POOL_PPM) {
                      return Promise.reject(new Error(t(`启用档位的奖池合计将为 ${ppmToPercent(othersPpm + ppm)}，不能超过 30%`, `Enabled pools would total ${ppmToPercent(othersPpm + ppm)}; at most 30%`)));
                    }
                    return Promise.resolve();
                  },
                }),
              ]}
            >
              <Input suffix="%" placeholder="1.5" data-testid="tier-pool" />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item name="enabled" label={t('状态', 'Status')} valuePropName="checked">
              <Switch checkedChildren={t('启用', 'On')} unCheckedChildren={t('停用', 'Off')} />
            </Form.Item>
          </Col>
        </Row>

        <Divider orientation="left" orientationMargin={0} style={{ marginTop: 4 }}>
          {t('分红条件（需全部满足）', 'Conditions (all must hold)')}
        </Divider>
        {submitted && noCondition ? (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            message={t('至少需要设置一个分红条件，否则所有活跃商户都会平分奖池', 'Set at least one condition, or every active merchant would share the pool')}
          />
        ) : null}

        <ConditionRow toggle="teamOn" label={t('团队业绩', 'Team performance')} hint={t('当月整个下级团队的业绩（不含本人）', 'The whole downline’s performance in the month, excluding the member')}>
          <Form.Item name="teamYuan" rules={[yuanRule()]} style={{ marginBottom: 0 }}>
            <Input prefix="≥ ¥" suffix={t('元', 'yuan')} placeholder="50000" data-testid="tier-team" />
          </Form.Item>
        </ConditionRow>

        <ConditionRow toggle="personalOn" label={t('个人业绩', 'Personal performance')} hint={t('本人当月的业绩', 'The member’s own performance in the month')}>
          <Form.Item name="personalYuan" rules={[yuanRule()]} style={{ marginBottom: 0 }}>
            <Input prefix="≥ ¥" suffix={t('元', 'yuan')} placeholder="10000" data-testid="tier-personal" />
          </Form.Item>
        </ConditionRow>

        <ConditionRow toggle="directsOn" label={t('合格直推人数', 'Qualified direct members')} hint={t('直推会员中满足下列任一标准的人数', 'Direct members meeting either standard below')}>
          <Form.Item
            name="directsMin"
            rules={[
              { required: true, message: t('请输入人数', 'Enter a number') },
              { type: 'integer', min: 1, max: 10_000, message: t('人数须为 1–10000 的整数', 'A whole number from 1 to 10000') },
            ]}
            style={{ marginBottom: 12 }}
          >
            <InputNumber prefix="≥" suffix={t('人', 'members')} min={1} max={10_000} precision={0} style={{ width: '100%' }} data-testid="tier-directs-min" />
          </Form.Item>
          <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8 }}>
            {t('直推合格标准（满足任一即可，至少设置一项）', 'A direct member counts when it meets either (set at least one)')}
          </Typography.Text>
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item
                name="directsRank"
                dependencies={['directsPersonalYuan']}
                rules={[
                  ({ getFieldValue }) => ({
                    validator: (_, v: number | null | undefined) =>
                      v == null && !String(getFieldValue('directsPersonalYuan') ?? '').trim()
                        ? Promise.reject(new Error(t('请至少设置一项：等级或个人业绩', 'Set a level or a personal performance')))
                        : Promise.resolve(),
                  }),
                ]}
                style={{ marginBottom: 0 }}
              >
                <Select
                  allowClear
                  placeholder={t('等级不低于…', 'Level at least…')}
                  options={props.levels.options.map((l) => ({ value: l.rank, label: t(`≥ ${l.name}（序号 ${l.rank}）`, `≥ ${l.name} (rank ${l.rank})`) }))}
                  data-testid="tier-directs-rank"
                />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item
                name="directsPersonalYuan"
                rules={[
                  {
                    validator: (_, v: string | undefined) =>
                      !v?.trim() || yuanToFen(v) !== null ? Promise.resolve() : Promise.reject(new Error(t('请输入正确的金额（元），最多两位小数', 'Enter an amount in yuan with at most two decimals'))),
                  },
                ]}
                style={{ marginBottom: 0 }}
              >
                <Input prefix={t('或 个人业绩 ≥ ¥', 'or personal ≥ ¥')} placeholder={t('选填', 'optional')} data-testid="tier-directs-personal" />
              </Form.Item>
            </Col>
          </Row>
        </ConditionRow>

        <ConditionRow toggle="incrementOn" label={t('团队增量', 'Team growth')} hint={t('当月团队业绩减去上月团队业绩，可填负数表示允许下滑', 'This month’s team performance minus last month’s; negative allows a decline')}>
          <Form.Item name="incrementYuan" rules={[yuanRule(true)]} style={{ marginBottom: 0 }}>
            <Input prefix="≥ ¥" suffix={t('元', 'yuan')} placeholder="0" data-testid="tier-increment" />
          </Form.Item>
        </ConditionRow>

        {preview ? <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('规则预览', 'Preview')} description={preview} /> : null}

        <Form.Item name="note" label={t('变更说明', 'Change note')} rules={[{ max: 200, message: t('最多 200 个字', 'At most 200 characters') }]}>
          <Input.TextArea rows={2} placeholder={t('选填，记入版本历史与审计日志', 'Optional; kept in the version history and audit log')} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

/** A condition with its on/off box; the inputs show (and validate) only when it is on. */
function ConditionRow(props: { toggle: 'teamOn' | 'personalOn' | 'directsOn' | 'incrementOn'; label: string; hint: string; children: ReactNode }) {
  return (
    <div style={{ border: '1px solid #f0f0f0', borderRadius: 8, padding: '12px 16px', marginBottom: 12, background: '#fafafa' }}>
      <Form.Item name={props.toggle} valuePropName="checked" style={{ marginBottom: 0 }}>
        <Checkbox data-testid={`tier-${props.toggle}`}>
          <Typography.Text strong>{props.label}</Typography.Text>
          <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
            {props.hint}
          </Typography.Text>
        </Checkbox>
      </Form.Item>
      <Form.Item noStyle shouldUpdate={(a: TierFormValues, b: TierFormValues) => a[props.toggle] !== b[props.toggle]}>
        {({ getFieldValue }) => (getFieldValue(props.toggle) ? <div style={{ marginTop: 12 }}>{props.children}</div> : null)}
      </Form.Item>
    </div>
  );
}
