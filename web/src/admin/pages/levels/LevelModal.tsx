import { Col, Divider, Form, Input, InputNumber, Modal, Row, Switch } from 'antd';
import { useEffect } from 'react';
import { useT } from '../../../shared/i18n';
import { fenToYuan, percentToPpm, ppmToPercent, YUAN_PATTERN, yuanToFen } from '../../../shared/money';
import { ConditionSetFields, conditionSetFromForm, type ConditionSetForm, conditionSetToForm } from './ConditionSetFields';
import type { EditableLevel } from './ladder';

interface LevelForm {
  name: string;
  rank: number;
  priceYuan: string;
  ratePercent: string;
  enabled: boolean;
  upgrade: ConditionSetForm;
  keep: ConditionSetForm;
}

function toForm(l: EditableLevel): LevelForm {
  return {
    name: l.name,
    rank: l.rank,
    priceYuan: fenToYuan(l.priceFen, { grouping: false }),
    ratePercent: ppmToPercent(l.rateProfitSharePpm).replace('%', ''),
    enabled: l.enabled,
    upgrade: conditionSetToForm(l.upgrade),
    keep: conditionSetToForm(l.keep),
  };
}

/**
 * Adds or edits one level of the working copy. Checks that involve other
 * levels (unique rank and name) are done here too, so a clash is marked on
 * the field instead of only when the whole ladder is saved.
 */
export function LevelModal(props: {
  open: boolean;
  level: EditableLevel | null;
  others: EditableLevel[];
  isStarting: boolean;
  onCancel: () => void;
  onSubmit: (level: EditableLevel) => void;
}) {
  const t = useT();
  const [form] = Form.useForm<LevelForm>();
  const { level, others, open } = props;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (level) form.setFieldsValue(toForm(level));
  }, [open, level, form]);

  const ladderForConditions = [...others, ...(level ? [level] : [])].sort((a, b) => a.rank - b.rank).map((l) => ({ rank: l.rank, name: l.name }));

  const submit = async () => {
    const v = await form.validateFields();
    props.onSubmit({
      key: level?.key ?? `new-${Date.now()}`,
      id: level?.id,
      holders: level?.holders ?? 0,
      name: v.name.trim(),
      rank: v.rank,
      priceFen: yuanToFen(v.priceYuan)!,
      rateProfitSharePpm: percentToPpm(v.ratePercent)!,
      enabled: v.enabled,
      upgrade: conditionSetFromForm(v.upgrade),
      keep: conditionSetFromForm(v.keep),
    });
  };

  const nextRank = Math.max(0, ...others.map((l) => l.rank)) + 1;
  return (
    <Modal
      open={open}
      title={level ? t(`编辑等级「${level.name}」`, `Edit level “${level.name}”`) : t('新增等级', 'Add a level')}
      onCancel={props.onCancel}
      onOk={() => void submit().catch(() => undefined)}
      okText={t('确定', 'OK')}
      cancelText={t('取消', 'Cancel')}
      width={820}
      destroyOnHidden
      data-testid="level-modal"
    >
      <Form<LevelForm>
        form={form}
        layout="vertical"
        initialValues={{
          name: '',
          rank: nextRank,
          priceYuan: '0',
          ratePercent: '0',
          enabled: true,
          upgrade: { mode: 'all', conditions: [] },
          keep: { mode: 'all', conditions: [] },
        }}
      >
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item
              name="name"
              label={t('等级名称', 'Name')}
              rules={[
                { required: true, whitespace: true, message: t('请输入等级名称', 'Enter a name') },
                { max: 20, message: t('名称最多 20 个字', 'At most 20 characters') },
                {
                  validator: (_r, v: string | undefined) =>
                    v && others.some((o) => o.name.trim() === v.trim()) ? Promise.reject(new Error(t('已有同名等级', 'Another level has this name'))) : Promise.resolve(),
                },
              ]}
            >
              <Input placeholder={t('如：金牌', 'e.g. Gold')} data-testid="level-name" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item
              name="rank"
              label={t('等级序号', 'Rank')}
              tooltip={t('数字越大等级越高，不能重复', 'Higher is better; must be unique')}
              rules={[
                { required: true, message: t('请输入等级序号', 'Enter a rank') },
                {
                  validator: (_r, v: number | null) =>
                    v !== null && others.some((o) => o.rank === v) ? Promise.reject(new Error(t('该序号已被其他等级使用', 'Another level has this rank'))) : Promise.resolve(),
                },
              ]}
            >
              <InputNumber min={1} max={1_000_000} precision={0} style={{ width: '100%' }} disabled={props.isStarting} data-testid="level-rank" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="enabled" label={t('启用', 'Enabled')} valuePropName="checked" tooltip={props.isStarting ? t('起始等级必须保持启用', 'The starting level must stay enabled') : undefined}>
              <Switch disabled={props.isStarting} checkedChildren={t('启用', 'On')} unCheckedChildren={t('停用', 'Off')} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="priceYuan"
              label={t('购买价格', 'Purchase price')}
              tooltip={t('会员直接购买此等级的价格；0 表示不可购买', 'Price to buy this level; 0 = not for sale')}
              rules={[
                { required: true, message: t('请输入价格', 'Enter a price') },
                { pattern: YUAN_PATTERN, message: t('价格以元为单位，最多两位小数', 'Price in yuan, at most two decimals') },
              ]}
            >
              <Input prefix="¥" suffix={t('元', 'yuan')} inputMode="decimal" data-testid="level-price" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="ratePercent"
              label={t('级差分润比例', 'Profit-share rate')}
              tooltip={t('交易结算时按与下级的比例差分润；不能低于更低等级', 'Paid on the difference to the level below; may not be lower than a lower level')}
              rules={[
                { required: true, message: t('请输入比例', 'Enter a rate') },
                {
                  validator: (_r, v: string | undefined) => {
                    if (!v) return Promise.resolve();
                    const ppm = percentToPpm(v);
                    return ppm === null || ppm > 1_000_000
                      ? Promise.reject(new Error(t('请输入 0 到 100 之间的百分比，最多四位小数', 'A percentage from 0 to 100, at most four decimals')))
                      : Promise.resolve();
                  },
                },
              ]}
            >
              <Input suffix="%" inputMode="decimal" data-testid="level-rate" />
            </Form.Item>
          </Col>
        </Row>
        <Divider orientation="left" plain style={{ marginTop: 0 }}>
          {t('业绩升级条件', 'Upgrade by performance')}
        </Divider>
        <ConditionSetFields name="upgrade" levels={ladderForConditions} emptyText={t('没有条件：此等级不能通过业绩升级，只能购买或由管理员调整。', 'No conditions: this level is reached only by purchase or by staff.')} />
        <Divider orientation="left" plain>
          {t('保级条件', 'Keep conditions')}
        </Divider>
        <ConditionSetFields name="keep" levels={ladderForConditions} emptyText={t('没有条件：开启降级后也不会因业绩降级。', 'No conditions: never downgraded for performance.')} />
      </Form>
    </Modal>
  );
}
