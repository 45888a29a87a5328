import { CheckCircleOutlined, CloudUploadOutlined, DeleteOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import { Alert, App, Button, type ButtonProps, Card, Empty, Form, Input, Popconfirm, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError, errorText } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import type { Loaded } from '../../../shared/use-api';
import { ErrorAlert } from '../../components';
import { ppmWordsToPercent, problemPlace, triggerExtra, type Words } from './describe';
import { RuleEditorDrawer } from './RuleEditorDrawer';
import { RuleList } from './RuleList';
import { RuleSetView } from './RuleSetView';
import { ObjectFields, SchemaFormProvider } from './schema-form/SchemaFields';
import { fromFormValue, initialValue, type JsonSchema, toFormValue } from './schema-form/schema';
import type { DraftResponse, Rule, RuleSetBody, StoredRuleSet, ValidationResult } from './types';
import { WorstCaseTable } from './WorstCaseTable';

interface Props {
  words: Words;
  draft: Loaded<DraftResponse>;
  active: StoredRuleSet | undefined;
  canEdit: boolean;
  /** Something changed on the server (saved, discarded, or someone else's change found): read everything again. */
  onChanged: () => void;
  onPublished: (version: number) => void;
}

/** A server refusal as problems to list: rule-set checks carry `{problems, worstCase}`, request checks a list of `{field, message}`. */
function refusal(err: unknown): ValidationResult | null {
  if (!(err instanceof ApiError) || err.status !== 400) return null;
  const d = err.details as { problems?: { field: string; message: string }[]; worstCase?: ValidationResult['worstCase'] } | { field: string; message: string }[] | undefined;
  if (Array.isArray(d)) return { problems: d.map((p) => ({ path: p.field, message: p.message })), worstCase: [], requestLevel: true };
  if (d?.problems) return { problems: d.problems.map((p) => ({ path: p.field, message: p.message })), worstCase: d.worstCase ?? [] };
  return { problems: [{ path: '', message: err.message }], worstCase: [] };
}

function newRuleId(rules: Rule[]): string {
  let n = rules.length + 1;
  while (rules.some((r) => r.id === `rule-${n}`)) n++;
  return `rule-${n}`;
}

/**
 * 草稿编辑: the one draft, edited locally and saved as a whole. Rules are
 * cards edited in a generated form; the set's own settings are a generated
 * form too. Save, validate (worst case against the ceilings), discard and
 * publish, each with the server's answer shown.
 */
export function DraftTab({ words, draft, active, canEdit, onChanged, onPublished }: Props) {
  const t = useT();
  const { message, modal } = App.useApp();
  const { ctx, defs } = words;
  const [settingsForm] = Form.useForm();
  const [rules, setRules] = useState<Rule[]>([]);
  const [note, setNote] = useState('');
  const [dirty, setDirty] = useState(false);
  const [validation, setValidation] = useState<ValidationResult | null>(null);
  const [busy, setBusy] = useState<null | 'save' | 'validate' | 'discard' | 'publish' | 'create'>(null);
  const [editing, setEditing] = useState<{ rule: Rule; isNew: boolean; originalId: string | null } | null>(null);

  const stored = draft.data?.draft ?? null;
  const ruleSchema = defs.ruleSet.properties?.rules?.items ?? {};
  // The set's own settings: everything in its schema except the rules, which are edited as cards.
  const settingsSchema = useMemo<JsonSchema>(
    () => ({
      ...defs.ruleSet,
      properties: Object.fromEntries(Object.entries(defs.ruleSet.properties ?? {}).filter(([k]) => k !== 'rules')),
      required: (defs.ruleSet.required ?? []).filter((k) => k !== 'rules'),
    }),
    [defs],
  );

  useEffect(() => {
    if (!stored) return;
    setRules(stored.body.rules);
    setNote(stored.note ?? '');
    settingsForm.resetFields();
    settingsForm.setFieldsValue(toFormValue('ruleSet', settingsSchema, stored.body, ctx) as Record<string, unknown>);
    setDirty(false);
    setValidation(null);
  }, [stored, settingsSchema, ctx, settingsForm]);

  const collectBody = async (): Promise<RuleSetBody | null> => {
    try {
      await settingsForm.validateFields();
    } catch {
      message.error(t('「级差与平级设置」中有需要修正的内容', 'Fix the highlighted settings first'));
      return null;
    }
    const settings = fromFormValue('ruleSet', settingsSchema, settingsForm.getFieldsValue(true), ctx) as Omit<RuleSetBody, 'rules'>;
    return { ...settings, rules };
  };

  const handleError = (e: unknown, what: string) => {
    if (e instanceof ApiError && e.status === 409) {
      modal.warning({
        title: t('规则已被他人修改', 'Someone else changed the rules'),
        content: t(`${e.message}。已重新加载最新的草稿和生效版本。`, `${e.message}. The latest draft and active version were loaded.`),
        okText: t('知道了', 'OK'),
      });
      onChanged();
      return;
    }
    const refused = refusal(e);
    if (refused) {
      setValidation(refused);
      message.error(t(`${what}失败：规则未通过校验`, `${what} failed: the rules did not pass the checks`));
      return;
    }
    message.error(`${what}${t('失败：', ' failed: ')}${errorText(e)}`);
  };

  const create = async () => {
    if (!active) return;
    setBusy('create');
    try {
      await api.put('/api/admin/rewards/draft', { basedOn: active.version, note: null, body: active.body });
      message.success(t(`已基于 v${active.version} 创建草稿`, `Draft created from v${active.version}`));
      onChanged();
    } catch (e) {
      handleError(e, t('创建草稿', 'Creating the draft'));
    } finally {
      setBusy(null);
    }
  };

  const save = async () => {
    if (!stored) return;
    const body = await collectBody();
    if (!body) return;
    setBusy('save');
    try {
      const saved = await api.put<StoredRuleSet>('/api/admin/rewards/draft', { basedOn: stored.basedOn ?? draft.data?.activeVersion, note: note.trim() || null, body });
      message.success(t(`草稿已保存（v${saved.version}）`, `Draft saved (v${saved.version})`));
      onChanged();
    } catch (e) {
      handleError(e, t('保存草稿', 'Saving the draft'));
    } finally {
      setBusy(null);
    }
  };

  const validate = async () => {
    const body = await collectBody();
    if (!body) return;
    setBusy('validate');
    try {
      const result = await api.post<ValidationResult>('/api/admin/rewards/validate', { body });
      setValidation(result);
      if (result.problems.length === 0) message.success(t('校验通过：所有事件的最坏情况都在上限以内', 'Passed: every worst case is within its ceiling'));
      else message.warning(t(`发现 ${result.problems.length} 个问题`, `${result.problems.length} problem(s) found`));
    } catch (e) {
      handleError(e, t('校验', 'Validation'));
    } finally {
      setBusy(null);
    }
  };

  const discard = async () => {
    setBusy('discard');
    try {
      await api.delete('/api/admin/rewards/draft');
      message.success(t('草稿已丢弃', 'Draft discarded'));
      onChanged();
    } catch (e) {
      handleError(e, t('丢弃草稿', 'Discarding'));
    } finally {
      setBusy(null);
    }
  };

  const publish = () => {
    if (!stored) return;
    modal.confirm({
      title: t(`发布草稿 v${stored.version}？`, `Publish draft v${stored.version}?`),
      content: t(
        `发布后，之后发生的事件都将按 v${stored.version} 计算奖励，当前生效的 v${draft.data?.activeVersion ?? '—'} 将停用。发布会记入审计日志，且不能撤销（只能再发布新版本）。`,
        `Events from now on are paid by v${stored.version}; the active v${draft.data?.activeVersion ?? '—'} is retired. Publishing is audited and cannot be undone (only superseded).`,
      ),
      okText: t('确认发布', 'Publish'),
      cancelText: t('取消', 'Cancel'),
      okButtonProps: { 'data-testid': 'publish-confirm' } as ButtonProps,
      onOk: async () => {
        setBusy('publish');
        try {
          const published = await api.post<StoredRuleSet>('/api/admin/rewards/draft/publish', { draftVersion: stored.version });
          message.success(t(`已发布 v${published.version}，新事件将按此版本计算`, `Published v${published.version}`));
          onPublished(published.version);
        } catch (e) {
          handleError(e, t('发布', 'Publishing'));
        } finally {
          setBusy(null);
        }
      },
    });
  };

  const changeRules = (next: Rule[]) => {
    setRules(next);
    setDirty(true);
  };

  if (draft.error) return <ErrorAlert error={draft.error} onRetry={draft.reload} />;
  if (!draft.data) return <Spin style={{ display: 'block', margin: '60px auto' }} />;

  if (!stored) {
    return (
      <Card>
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={
            canEdit
              ? t(`当前没有草稿。修改规则需要先基于生效版本 v${draft.data.activeVersion} 创建草稿。`, `No draft. Create one from the active v${draft.data.activeVersion} to change the rules.`)
              : t('当前没有草稿', 'There is no draft')
          }
        >
          {canEdit ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => void create()} loading={busy === 'create'} disabled={!active} data-testid="draft-create">
              {t('基于生效版本创建草稿', 'Create a draft from the active version')}
            </Button>
          ) : null}
        </Empty>
      </Card>
    );
  }

  if (!canEdit) {
    return (
      <>
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('只读：仅所有者和运营可以编辑、发布草稿', 'Read-only: owners and ops edit and publish')} />
        <RuleSetView set={stored} words={words} testId="draft-readonly" />
      </>
    );
  }

  const stale = stored.basedOn !== null && stored.basedOn !== draft.data.activeVersion;
  const busyAny = busy !== null;
  // A refusal by the request checks computes no worst case: the saved draft's is shown then, and said to be.
  const worstIsSaved = validation !== null && validation.worstCase.length === 0;
  const worst = validation && !worstIsSaved ? validation.worstCase : stored.worstCase;

  return (
    <div data-testid="draft-editor">
      <Card style={{ marginBottom: 16 }} styles={{ body: { padding: '16px 24px' } }}>
        <div style={{ display: 'flex', gap: 16, alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap' }}>
          <Space size={8} wrap>
            <Typography.Text strong style={{ fontSize: 16 }}>
              {t(`草稿 v${stored.version}`, `Draft v${stored.version}`)}
            </Typography.Text>
            <Tag>{t(`基于 v${stored.basedOn ?? '—'}`, `from v${stored.basedOn ?? '—'}`)}</Tag>
            <Typography.Text type="secondary">{t(`保存于 ${formatDateTime(stored.updatedAt)}`, `saved ${formatDateTime(stored.updatedAt)}`)}</Typography.Text>
            {dirty ? <Tag color="orange" data-testid="draft-dirty">{t('有未保存的修改', 'Unsaved changes')}</Tag> : <Tag color="green">{t('已保存', 'Saved')}</Tag>}
          </Space>
          <Space wrap>
            <Button icon={<CheckCircleOutlined />} onClick={() => void validate()} loading={busy === 'validate'} disabled={busyAny} data-testid="draft-validate">
              {t('校验', 'Validate')}
            </Button>
            <Button icon={<SaveOutlined />} onClick={() => void save()} loading={busy === 'save'} disabled={busyAny || stale} data-testid="draft-save">
              {t('保存草稿', 'Save draft')}
            </Button>
            <Popconfirm
              title={t('丢弃草稿？', 'Discard the draft?')}
              description={t('草稿及未保存的修改都会删除，不能恢复', 'The draft and unsaved changes are deleted for good')}
              okText={t('丢弃', 'Discard')}
              cancelText={t('取消', 'Cancel')}
              okButtonProps={{ danger: true, 'data-testid': 'draft-discard-confirm' } as ButtonProps}
              onConfirm={discard}
              disabled={busyAny}
            >
              <Button danger icon={<DeleteOutlined />} loading={busy === 'discard'} disabled={busyAny} data-testid="draft-discard">
                {t('丢弃草稿', 'Discard')}
              </Button>
            </Popconfirm>
            <Tooltip title={dirty ? t('请先保存草稿再发布', 'Save the draft before publishing') : stale ? t('草稿已过期，请丢弃后重新创建', 'The draft is stale; discard and recreate it') : undefined}>
              <Button type="primary" icon={<CloudUploadOutlined />} onClick={publish} loading={busy === 'publish'} disabled={busyAny || dirty || stale} data-testid="draft-publish">
                {t('发布', 'Publish')}
              </Button>
            </Tooltip>
          </Space>
        </div>
        <Input
          value={note}
          onChange={(e) => {
            setNote(e.target.value);
            setDirty(true);
          }}
          maxLength={200}
          showCount
          placeholder={t('备注：本次修改的内容或原因（可选）', 'Note: what changes and why (optional)')}
          style={{ marginTop: 12 }}
          data-testid="draft-note"
        />
      </Card>

      {stale ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t(`此草稿基于 v${stored.basedOn}，但生效版本已是 v${draft.data.activeVersion}`, `This draft starts from v${stored.basedOn}, but v${draft.data.activeVersion} is now active`)}
          description={t('有人在此期间发布了新版本。请丢弃此草稿，再基于最新的生效版本重新创建。', 'Someone published meanwhile. Discard this draft and create a new one from the active version.')}
        />
      ) : null}

      <Card
        title={validation ? t('校验结果（当前编辑内容）', 'Check result (current edits)') : t('发放上限校验（已保存的草稿）', 'Ceiling check (saved draft)')}
        style={{ marginBottom: 16 }}
        data-testid="draft-validation"
      >
        {validation ? (
          validation.problems.length === 0 ? (
            <Alert type="success" showIcon style={{ marginBottom: 16 }} message={t('校验通过，可以保存', 'Passed; the draft can be saved')} />
          ) : (
            <Alert
              type="error"
              showIcon
              style={{ marginBottom: 16 }}
              message={t(`${validation.problems.length} 个问题需要修正`, `${validation.problems.length} problem(s) to fix`)}
              description={
                <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                  {validation.problems.map((p, i) => {
                    // Rule-set checks already name the rule in the message; request checks name only a field.
                    const place = validation.requestLevel ? problemPlace(p.path, rules, t) : null;
                    return (
                      <li key={i}>
                        {place ? (
                          <Typography.Text code style={{ marginInlineEnd: 6 }}>
                            {place}
                          </Typography.Text>
                        ) : null}
                        {ppmWordsToPercent(p.message)}
                      </li>
                    );
                  })}
                </ul>
              }
              data-testid="draft-problems"
            />
          )
        ) : null}
        {worstIsSaved ? (
          <Typography.Paragraph type="secondary" data-testid="draft-worst-saved">
            {t('当前编辑内容未通过基本校验，未能计算其最坏情况；下表为已保存草稿的最坏情况。', 'The current edits failed the basic checks, so their worst case was not computed; the table shows the saved draft’s.')}
          </Typography.Paragraph>
        ) : null}
        <WorstCaseTable rows={worst} words={words} />
      </Card>

      <Card
        title={t(`奖励规则（${rules.length}）`, `Reward rules (${rules.length})`)}
        style={{ marginBottom: 16 }}
        extra={
          <Button
            type="primary"
            ghost
            icon={<PlusOutlined />}
            onClick={() => {
              const blank = { ...(initialValue('rule', ruleSchema, ctx) as Rule), id: newRuleId(rules), name: '' };
              setEditing({ rule: blank, isNew: true, originalId: null });
            }}
            disabled={rules.length >= (defs.ruleSet.properties?.rules?.maxItems ?? 100)}
            data-testid="rule-add"
          >
            {t('添加规则', 'Add rule')}
          </Button>
        }
      >
        <RuleList
          rules={rules}
          words={words}
          actions={{
            onEdit: (rule) => setEditing({ rule, isNew: false, originalId: rule.id }),
            onCopy: (rule) => setEditing({ rule: { ...rule, id: newRuleId(rules), name: `${rule.name}${t('（副本）', ' (copy)')}`.slice(0, 40) }, isNew: true, originalId: null }),
            onRemove: (rule) => changeRules(rules.filter((r) => r.id !== rule.id)),
          }}
        />
      </Card>

      <Card title={t('级差与平级设置', 'Profit share & peer bonus')} data-testid="draft-settings">
        <SchemaFormProvider value={{ ctx, enumExtra: triggerExtra(defs) }}>
          <Form form={settingsForm} layout="vertical" onValuesChange={() => setDirty(true)}>
            <ObjectFields schema={settingsSchema} name={[]} abs={[]} path="" />
          </Form>
        </SchemaFormProvider>
      </Card>

      <RuleEditorDrawer
        open={editing !== null}
        rule={editing?.rule ?? null}
        isNew={editing?.isNew ?? true}
        otherIds={rules.filter((r) => r.id !== editing?.originalId).map((r) => r.id)}
        schema={ruleSchema}
        words={words}
        onClose={() => setEditing(null)}
        onSubmit={(rule) => {
          const next = editing?.originalId ? rules.map((r) => (r.id === editing.originalId ? rule : r)) : [...rules, rule];
          changeRules(next);
          setEditing(null);
          message.success(t('规则已更新，保存草稿后生效', 'Rule updated; save the draft to keep it'));
        }}
      />
    </div>
  );
}

