import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Col, DatePicker, Form, Input, InputNumber, Row, Select, Switch, Typography } from 'antd';
import type { Rule as FormRule } from 'antd/es/form';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useI18n } from '../../../../shared/i18n';
import { percentToPpm, ppmToPercent, YUAN_PATTERN } from '../../../../shared/money';
import { enumWords, fieldWords, patternMessage } from './labels';
import { initialValue, isComposite, type JsonSchema, kindOf, type SchemaContext, toFormValue, unwrap } from './schema';

/**
 * A small JSON-schema → antd Form renderer: objects become sections (their
 * scalar fields side by side), arrays become add/remove lists, `{code, args}`
 * references become a choice among registered definitions followed by the
 * chosen definition's own argument fields. Inputs follow the field's kind
 * (money in yuan, rates in %, levels by name, date-times with a picker); the
 * schema's constraints become zh-CN validation messages.
 */

type Name = (string | number)[];

interface RendererContext {
  ctx: SchemaContext;
  /** Labels for enum values the built-in words do not know (e.g. trigger names from the server). */
  enumExtra?: Record<string, Record<string, string>>;
  /** Extra validation by dotted path (e.g. a rule id that must be unique in the set). */
  extraRules?: Record<string, FormRule[]>;
  /** Dotted paths shown but not editable (e.g. the id of an existing rule, which caps and statistics follow). */
  readOnlyPaths?: string[];
}

const Renderer = createContext<RendererContext | null>(null);

export function SchemaFormProvider({ value, children }: { value: RendererContext; children: ReactNode }) {
  return <Renderer.Provider value={value}>{children}</Renderer.Provider>;
}

function useRenderer() {
  const r = useContext(Renderer);
  if (!r) throw new Error('schema fields outside SchemaFormProvider');
  const { t } = useI18n();
  return { ...r, t, enumLabel: (key: string, value: string) => enumWords(key, value, t, r.enumExtra) };
}

const joinPath = (path: string, key: string) => (path ? `${path}.${key}` : key);
const SCALAR_SPAN = { xs: 24, sm: 12, lg: 8 };
/** Definition labels are long ("已激活（已缴入驻费且账户正常）"): their choice gets more room. */
const REF_SPAN = { xs: 24, sm: 12 };

interface FieldProps {
  keyName: string;
  /** Dotted path without list indexes: what labels and extra rules are looked up by. */
  path: string;
  /** Form.Item name, relative to the enclosing Form.List item if any. */
  name: Name;
  /** The absolute name, for watching and setting values. */
  abs: Name;
  schema: JsonSchema;
  required: boolean;
  noLabel?: boolean;
}

function ScalarField({ keyName, path, name, schema: raw, required, noLabel }: FieldProps) {
  const { t, ctx, extraRules, enumLabel, readOnlyPaths } = useRenderer();
  const { schema, nullable } = unwrap(raw);
  const disabled = readOnlyPaths?.includes(path);
  const kind = kindOf(keyName, schema);
  const { label, help } = fieldWords(path, t);
  const rules: FormRule[] = [...(extraRules?.[path] ?? [])];
  const mustFill = required && !nullable;
  const testId = `field-${path}`;
  let input: ReactNode;
  let valuePropName: string | undefined;

  switch (kind) {
    case 'money':
      if (mustFill) rules.push({ required: true, message: t(`请输入${label}`, `Enter ${label}`) });
      rules.push({ pattern: YUAN_PATTERN, message: t('金额以元为单位，最多两位小数', 'Amount in yuan, at most two decimals') });
      input = <Input prefix="¥" disabled={disabled} suffix={t('元', 'yuan')} placeholder={nullable ? t('不限', 'No cap') : '0.00'} inputMode="decimal" allowClear={nullable} data-testid={testId} />;
      break;
    case 'ppm': {
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? 1_000_000;
      if (mustFill) rules.push({ required: true, message: t(`请输入${label}`, `Enter ${label}`) });
      rules.push({
        validator: (_r, v: string | undefined) => {
          if (v === undefined || v === '') return Promise.resolve();
          const ppm = percentToPpm(v);
          return ppm === null || ppm < min || ppm > max
            ? Promise.reject(new Error(t(`请输入 ${ppmToPercent(min)} 到 ${ppmToPercent(max)} 之间的百分比，最多四位小数`, `A percentage from ${ppmToPercent(min)} to ${ppmToPercent(max)}, at most four decimals`)))
            : Promise.resolve();
        },
      });
      input = <Input suffix="%" disabled={disabled} placeholder="0" inputMode="decimal" data-testid={testId} />;
      break;
    }
    case 'datetime':
      if (mustFill) rules.push({ required: true, message: t(`请选择${label}`, `Choose ${label}`) });
      input = <DatePicker disabled={disabled} showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} placeholder={nullable ? t('不限', 'Any time') : undefined} data-testid={testId} />;
      break;
    case 'rank':
      if (mustFill) rules.push({ required: true, message: t('请选择等级', 'Choose a level') });
      input = (
        <Select
          disabled={disabled}
          placeholder={t('选择等级', 'Choose a level')}
          options={ctx.levels.map((l) => ({ value: l.rank, label: `${l.name}（${t('序号', 'rank')} ${l.rank}）` }))}
          data-testid={testId}
        />
      );
      break;
    case 'enum':
      if (mustFill) rules.push({ required: true, message: t(`请选择${label}`, `Choose ${label}`) });
      input = <Select disabled={disabled} options={(schema.enum ?? []).map((v) => ({ value: v, label: enumLabel(keyName, String(v)) }))} data-testid={testId} />;
      break;
    case 'boolean':
      valuePropName = 'checked';
      input = <Switch disabled={disabled} data-testid={testId} />;
      break;
    case 'integer':
    case 'number': {
      const { minimum: min, maximum: max } = schema;
      if (mustFill) rules.push({ required: true, message: t(`请输入${label}`, `Enter ${label}`) });
      if (min !== undefined && max !== undefined) {
        rules.push({ type: 'number', min, max, message: t(`请输入 ${min} 到 ${max} 之间的数`, `A number from ${min} to ${max}`) });
      }
      input = <InputNumber min={min} disabled={disabled} max={max} precision={kind === 'integer' ? 0 : undefined} style={{ width: '100%' }} data-testid={testId} />;
      break;
    }
    case 'string': {
      if ((schema.minLength ?? 0) > 0 || mustFill) rules.push({ required: true, whitespace: true, message: t(`请输入${label}`, `Enter ${label}`) });
      if (schema.maxLength !== undefined) rules.push({ max: schema.maxLength, message: t(`最多 ${schema.maxLength} 个字符`, `At most ${schema.maxLength} characters`) });
      if (schema.pattern) rules.push({ pattern: new RegExp(schema.pattern), message: patternMessage(keyName, t) });
      input =
        (schema.maxLength ?? 0) > 100 ? (
          <Input.TextArea disabled={disabled} autoSize={{ minRows: 2, maxRows: 5 }} maxLength={schema.maxLength} showCount data-testid={testId} />
        ) : (
          <Input disabled={disabled} maxLength={schema.maxLength} data-testid={testId} />
        );
      break;
    }
    default:
      return null;
  }
  return (
    <Form.Item name={name} label={noLabel ? undefined : label} tooltip={noLabel ? undefined : help} rules={rules} valuePropName={valuePropName}>
      {input}
    </Form.Item>
  );
}

/** A `{code, args}` field: which definition, then that definition's arguments. */
function RefField({ keyName, name, abs }: Pick<FieldProps, 'keyName' | 'name' | 'abs'>) {
  const { t, ctx } = useRenderer();
  const { lang } = useI18n();
  const form = Form.useFormInstance();
  const registry = useMemo(() => ctx.refs[keyName] ?? [], [ctx, keyName]);
  const code = Form.useWatch([...abs, 'code'], form) as string | undefined;
  const def = registry.find((d) => d.code === code);
  const onChange = (next: string) => {
    const chosen = registry.find((d) => d.code === next);
    // Arguments of one definition mean nothing to another: start the new one from its defaults.
    form.setFieldValue([...abs, 'args'], chosen ? toFormValue('args', chosen.args, initialValue('args', chosen.args, ctx), ctx) : {});
  };
  return (
    <Row gutter={16}>
      <Col {...REF_SPAN}>
        <Form.Item name={[...name, 'code']} label={t('类型', 'Kind')} rules={[{ required: true, message: t('请选择类型', 'Choose a kind') }]}>
          <Select
            options={registry.map((d) => ({ value: d.code, label: lang === 'en' ? d.label.en : d.label.zh }))}
            onChange={onChange}
            popupMatchSelectWidth={false}
            data-testid={`field-${keyName}-code`}
          />
        </Form.Item>
      </Col>
      {def ? <ObjectColumns schema={def.args} name={[...name, 'args']} abs={[...abs, 'args']} path="" /> : null}
    </Row>
  );
}

function ArrayField({ keyName, path, name, abs, schema }: FieldProps) {
  const { t, ctx } = useRenderer();
  const items = schema.items ?? {};
  const itemKind = kindOf(keyName, items);
  const { label } = fieldWords(path, t);
  const form = Form.useFormInstance();
  // A new reference starts as the first definition the list does not use yet (one "active" condition is enough).
  const newItem = () => {
    const registry = ctx.refs[keyName];
    if (itemKind !== 'ref' || !registry) return initialValue(keyName, items, ctx);
    const used = new Set(((form.getFieldValue(abs) ?? []) as { code?: string }[]).map((v) => v.code));
    const def = registry.find((d) => !used.has(d.code)) ?? registry[0];
    return def ? { code: def.code, args: initialValue('args', def.args, ctx) } : initialValue(keyName, items, ctx);
  };
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <>
          {fields.length === 0 ? (
            <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
              {t('暂无，可点击下方按钮添加', 'None yet; add one below')}
            </Typography.Paragraph>
          ) : null}
          {fields.map((field) => (
            <div key={field.key} style={{ display: 'flex', gap: 8, alignItems: 'flex-start', background: '#fafafa', borderRadius: 6, padding: '12px 12px 0', marginBottom: 8 }}>
              <div style={{ flex: 1, minWidth: 0 }}>
                {itemKind === 'ref' ? (
                  <RefField keyName={keyName} name={[field.name]} abs={[...abs, field.name]} />
                ) : itemKind === 'object' ? (
                  <ObjectFields schema={items} name={[field.name]} abs={[...abs, field.name]} path={path} />
                ) : (
                  <ScalarField keyName={keyName} path={path} name={[field.name]} abs={[...abs, field.name]} schema={items} required noLabel />
                )}
              </div>
              <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label={t('删除', 'Remove')} style={{ marginTop: itemKind === 'ref' ? 30 : 0 }} />
            </div>
          ))}
          <Button
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() => add(toFormValue(keyName, items, newItem(), ctx))}
            disabled={schema.maxItems !== undefined && fields.length >= schema.maxItems}
            style={{ marginBottom: 16 }}
            data-testid={`add-${path}`}
          >
            {t(`添加${label}`, `Add ${label}`)}
          </Button>
        </>
      )}
    </Form.List>
  );
}

/** A nested object, reference or list in a framed section with its label and help. */
function Section({ title, help, children, testId }: { title: string; help?: string; children: ReactNode; testId?: string }) {
  return (
    <div style={{ border: '1px solid #f0f0f0', borderRadius: 8, padding: '12px 16px 0', marginBottom: 16 }} data-testid={testId}>
      <div style={{ marginBottom: 12 }}>
        <Typography.Text strong>{title}</Typography.Text>
        {help ? (
          <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
            {help}
          </Typography.Text>
        ) : null}
      </div>
      {children}
    </div>
  );
}

function CompositeField(props: FieldProps) {
  const { t } = useRenderer();
  const { schema } = unwrap(props.schema);
  const kind = kindOf(props.keyName, schema);
  const { label, help } = fieldWords(props.path, t);
  return (
    <Section title={label} help={help} testId={`section-${props.path}`}>
      {kind === 'ref' ? (
        <RefField keyName={props.keyName} name={props.name} abs={props.abs} />
      ) : kind === 'array' ? (
        <ArrayField {...props} schema={schema} />
      ) : (
        <ObjectFields schema={schema} name={props.name} abs={props.abs} path={props.path} />
      )}
    </Section>
  );
}

interface ObjectProps {
  schema: JsonSchema;
  name: Name;
  abs: Name;
  path: string;
  /** Properties rendered elsewhere (or not at all). */
  omit?: string[];
}

const entriesOf = (schema: JsonSchema, omit: string[] = []) => Object.entries(schema.properties ?? {}).filter(([k]) => !omit.includes(k));

/** An object's scalar fields as grid columns (for use inside a Row). */
function ObjectColumns({ schema, name, abs, path, omit }: ObjectProps) {
  const required = new Set(schema.required ?? []);
  return (
    <>
      {entriesOf(schema, omit).map(([key, s]) => (
        <Col key={key} {...SCALAR_SPAN}>
          <ScalarField keyName={key} path={joinPath(path, key)} name={[...name, key]} abs={[...abs, key]} schema={s} required={required.has(key)} />
        </Col>
      ))}
    </>
  );
}

/**
 * An object's fields in schema order: runs of scalar fields share a row,
 * nested objects, references and lists get sections of their own.
 */
export function ObjectFields({ schema, name, abs, path, omit }: ObjectProps) {
  const required = new Set(schema.required ?? []);
  const blocks: ReactNode[] = [];
  let run: [string, JsonSchema][] = [];
  const flush = () => {
    if (run.length === 0) return;
    const props = { type: 'object', properties: Object.fromEntries(run), required: [...required] };
    blocks.push(
      <Row gutter={16} key={`row-${run[0]![0]}`}>
        <ObjectColumns schema={props} name={name} abs={abs} path={path} />
      </Row>,
    );
    run = [];
  };
  for (const [key, s] of entriesOf(schema, omit)) {
    const kind = kindOf(key, unwrap(s).schema);
    if (kind === 'unsupported') continue;
    if (!isComposite(kind)) {
      run.push([key, s]);
      continue;
    }
    flush();
    blocks.push(<CompositeField key={key} keyName={key} path={joinPath(path, key)} name={[...name, key]} abs={[...abs, key]} schema={s} required={required.has(key)} />);
  }
  flush();
  return <>{blocks}</>;
}
