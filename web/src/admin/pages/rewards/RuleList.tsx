import { CopyOutlined, DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Empty, Popconfirm, Row, Space, Tag, Tooltip, Typography } from 'antd';
import { useT } from '../../../shared/i18n';
import { describeAmount, describeCaps, describeConditions, describeRef, describeWindow, triggerLabel, type Words } from './describe';
import type { Rule } from './types';

const triggerColors: Record<string, string> = { onboarding_fee_paid: 'blue', level_purchased: 'purple', transaction_settled: 'cyan' };

export interface RuleActions {
  onEdit: (rule: Rule) => void;
  onCopy: (rule: Rule) => void;
  onRemove: (rule: Rule) => void;
}

function RuleCard({ rule, words, actions }: { rule: Rule; words: Words; actions?: RuleActions }) {
  const t = useT();
  const conditions = describeConditions(rule.conditions, words);
  return (
    <Card
      size="small"
      data-testid={`rule-card-${rule.id}`}
      style={{ height: '100%', opacity: rule.enabled ? 1 : 0.7 }}
      title={
        <Space size={6} wrap>
          <span>{rule.name}</span>
          <Tag color={triggerColors[rule.trigger]}>{triggerLabel(rule.trigger, words)}</Tag>
          {!rule.enabled ? <Tag>{t('已停用', 'Disabled')}</Tag> : null}
        </Space>
      }
      extra={
        <Space size={0}>
          <Typography.Text type="secondary" code style={{ fontSize: 12 }}>
            {rule.id}
          </Typography.Text>
          {actions ? (
            <>
              <Tooltip title={t('编辑', 'Edit')}>
                <Button type="text" size="small" icon={<EditOutlined />} onClick={() => actions.onEdit(rule)} aria-label={t('编辑', 'Edit')} data-testid={`rule-edit-${rule.id}`} />
              </Tooltip>
              <Tooltip title={t('复制为新规则', 'Copy as a new rule')}>
                <Button type="text" size="small" icon={<CopyOutlined />} onClick={() => actions.onCopy(rule)} aria-label={t('复制', 'Copy')} />
              </Tooltip>
              <Popconfirm
                title={t(`删除规则「${rule.name}」？`, `Remove “${rule.name}”?`)}
                description={t('保存草稿后生效', 'Takes effect when the draft is saved')}
                okText={t('删除', 'Remove')}
                cancelText={t('取消', 'Cancel')}
                okButtonProps={{ danger: true }}
                onConfirm={() => actions.onRemove(rule)}
              >
                <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('删除', 'Remove')} data-testid={`rule-remove-${rule.id}`} />
              </Popconfirm>
            </>
          ) : null}
        </Space>
      }
    >
      <Descriptions
        size="small"
        column={1}
        styles={{ label: { width: 84, color: 'rgba(0,0,0,0.45)' } }}
        items={[
          { key: 'recipient', label: t('发放对象', 'Recipient'), children: describeRef(rule.recipient, words.defs.recipients, words) },
          { key: 'amount', label: t('发放金额', 'Amount'), children: <Typography.Text strong>{describeAmount(rule, words)}</Typography.Text> },
          { key: 'conditions', label: t('领取条件', 'Conditions'), children: conditions.length ? conditions.join('；') : t('无', 'None') },
          { key: 'caps', label: t('封顶', 'Caps'), children: describeCaps(rule.caps, words) },
          { key: 'window', label: t('生效时间', 'In effect'), children: describeWindow(rule, words) },
          { key: 'priority', label: t('优先级', 'Priority'), children: rule.priority },
        ]}
      />
      {rule.description ? (
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0', fontSize: 12 }}>
          {rule.description}
        </Typography.Paragraph>
      ) : null}
    </Card>
  );
}

/** Rules grouped by trigger, in the order they apply (priority, then id). */
export function RuleList({ rules, words, actions }: { rules: Rule[]; words: Words; actions?: RuleActions }) {
  const t = useT();
  if (rules.length === 0) return <Empty description={t('还没有规则', 'No rules yet')} />;
  const known = new Set(words.defs.triggers.map((x) => x.code));
  const groups = [...words.defs.triggers.map((x) => x.code), ...new Set(rules.map((r) => r.trigger).filter((c) => !known.has(c)))];
  return (
    <div data-testid="rule-list">
      {groups.map((trigger) => {
        const list = rules.filter((r) => r.trigger === trigger).sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        return (
          <div key={trigger} style={{ marginBottom: 16 }}>
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {triggerLabel(trigger, words)}
              <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal', marginLeft: 8 }}>
                {t(`${list.length} 条规则`, `${list.length} rule${list.length === 1 ? '' : 's'}`)}
              </Typography.Text>
            </Typography.Title>
            {list.length === 0 ? (
              <Typography.Text type="secondary">{t('此事件没有奖励规则', 'No rules for this trigger')}</Typography.Text>
            ) : (
              <Row gutter={[16, 16]}>
                {list.map((rule) => (
                  <Col key={rule.id} xs={24} xl={12}>
                    <RuleCard rule={rule} words={words} actions={actions} />
                  </Col>
                ))}
              </Row>
            )}
          </div>
        );
      })}
    </div>
  );
}
