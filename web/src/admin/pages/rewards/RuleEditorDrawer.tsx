import { Alert, Button, Drawer, Form, Space } from 'antd';
import { useEffect, useMemo } from 'react';
import { useT } from '../../../shared/i18n';
import { describeAmount, describeRef, triggerLabel, triggerExtra, type Words } from './describe';
import { ObjectFields, SchemaFormProvider } from './schema-form/SchemaFields';
import { fromFormValue, type JsonSchema, toFormValue } from './schema-form/schema';
import type { Rule } from './types';

/**
 * Adds or edits one rule. The form is generated from the rule's schema in
 * GET /api/admin/rewards/definitions (and each recipient's or condition's
 * own argument schema), so a rule kind registered on the server appears
 * here without a change to this page.
 */
export function RuleEditorDrawer(props: {
  open: boolean;
  /** The rule to edit, or the starting values of a new one. */
  rule: Rule | null;
  isNew: boolean;
  otherIds: string[];
  schema: JsonSchema;
  words: Words;
  onClose: () => void;
  onSubmit: (rule: Rule) => void;
}) {
  const t = useT();
  const [form] = Form.useForm();
  const { open, rule, schema, words } = props;
  const { ctx } = words;

  useEffect(() => {
    if (!open || !rule) return;
    form.resetFields();
    form.setFieldsValue(toFormValue('rule', schema, rule, ctx) as Record<string, unknown>);
  }, [open, rule, schema, ctx, form]);

  const values = Form.useWatch((all: unknown) => all, form);
  const preview = useMemo(() => {
    if (!values || typeof values !== 'object') return null;
    const r = fromFormValue('rule', schema, values, ctx) as Partial<Rule>;
    if (!r.trigger || !r.recipient) return null;
    const amount = describeAmount({ trigger: r.trigger, amount: { fixedFen: r.amount?.fixedFen ?? '0', ppm: r.amount?.ppm ?? 0 } }, words);
    return t(
      `${triggerLabel(r.trigger, words)}事件发生时，向「${describeRef(r.recipient, words.defs.recipients, words)}」发放 ${amount}`,
      `On ${triggerLabel(r.trigger, words)}, pay ${amount} to “${describeRef(r.recipient, words.defs.recipients, words)}”`,
    );
  }, [values, schema, ctx, words, t]);

  const extraRules = useMemo(
    () => ({
      id: [
        {
          validator: (_r: unknown, v: string | undefined) =>
            v && props.otherIds.includes(v.trim()) ? Promise.reject(new Error(t('规则编号已被其他规则使用', 'Another rule has this ID'))) : Promise.resolve(),
        },
      ],
    }),
    [props.otherIds, t],
  );

  const submit = async () => {
    const v = (await form.validateFields().then(() => form.getFieldsValue(true))) as unknown;
    props.onSubmit(fromFormValue('rule', schema, v, ctx) as Rule);
  };

  return (
    <Drawer
      open={open}
      onClose={props.onClose}
      width={780}
      destroyOnHidden
      title={props.isNew ? t('添加奖励规则', 'Add a reward rule') : t(`编辑规则「${rule?.name ?? ''}」`, `Edit “${rule?.name ?? ''}”`)}
      data-testid="rule-drawer"
      extra={
        <Space>
          <Button onClick={props.onClose}>{t('取消', 'Cancel')}</Button>
          <Button type="primary" onClick={() => void submit().catch(() => undefined)} data-testid="rule-submit">
            {t('确定', 'OK')}
          </Button>
        </Space>
      }
    >
      {preview ? <Alert type="info" showIcon message={t('预览', 'Preview')} description={preview} style={{ marginBottom: 16 }} /> : null}
      <SchemaFormProvider value={{ ctx, enumExtra: triggerExtra(words.defs), extraRules, readOnlyPaths: props.isNew ? [] : ['id'] }}>
        <Form form={form} layout="vertical" data-testid="rule-form">
          <ObjectFields schema={schema} name={[]} abs={[]} path="" />
        </Form>
      </SchemaFormProvider>
    </Drawer>
  );
}
