import { Card, Descriptions, Space, Tag } from 'antd';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { ppmToPercent } from '../../../shared/money';
import { describeCaps, describeProfitShare, triggerLabel, type Words } from './describe';
import { RuleList } from './RuleList';
import type { RuleSetActor, RuleSetBody, StoredRuleSet } from './types';
import { WorstCaseTable } from './WorstCaseTable';

export function StateTag({ state }: { state: StoredRuleSet['state'] }) {
  const t = useT();
  if (state === 'published') return <Tag color="green">{t('生效中', 'Active')}</Tag>;
  if (state === 'draft') return <Tag color="orange">{t('草稿', 'Draft')}</Tag>;
  return <Tag>{t('已停用', 'Retired')}</Tag>;
}

/**
 * Who saved or published a version, as the API names them (every role sees
 * it). Nobody means the system, for a version that exists, or "—" for a step
 * not taken yet (a draft has no publisher).
 */
export function ActorName({ actor, done }: { actor: RuleSetActor | null; done: boolean }) {
  const t = useT();
  if (actor) return <>{actor.displayName}</>;
  return <>{done ? t('系统', 'System') : '—'}</>;
}

/** Reach, freeze, ceilings, caps, profit share and peer bonus in words. */
export function SettingsDescriptions({ body, words }: { body: RuleSetBody; words: Words }) {
  const t = useT();
  const { profitShare, peer } = describeProfitShare(body, words);
  return (
    <Descriptions
      bordered
      size="small"
      column={2}
      styles={{ label: { width: 130 } }}
      items={[
        { key: 'reach', label: t('分润代数', 'Reach'), children: t(`向上 ${body.reach} 代`, `${body.reach} generations up`) },
        { key: 'freeze', label: t('冻结天数', 'Freeze'), children: t(`入账后冻结 ${body.freezeDays} 天`, `${body.freezeDays} days frozen`) },
        {
          key: 'ceilings',
          label: t('单笔发放上限', 'Per-event ceilings'),
          children: (
            <Space size={[12, 4]} wrap>
              {Object.entries(body.ceilings).map(([trigger, ppm]) => (
                <span key={trigger}>
                  {triggerLabel(trigger, words)} <strong>{ppmToPercent(ppm)}</strong>
                </span>
              ))}
            </Space>
          ),
        },
        { key: 'caps', label: t('会员收益封顶', 'Member caps'), children: describeCaps(body.memberCaps, words) },
        { key: 'ps', label: t('级差分润', 'Profit share'), span: 2, children: profitShare },
        { key: 'peer', label: t('平级奖', 'Peer bonus'), span: 2, children: peer },
      ]}
    />
  );
}

/** A rule set as a whole, read-only: who/when, its settings, its rules, and its worst case against the ceilings. */
export function RuleSetView({ set, words, testId }: { set: StoredRuleSet; words: Words; testId?: string }) {
  const t = useT();
  return (
    <div data-testid={testId}>
      <Card style={{ marginBottom: 16 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2, xl: 3 }}
          items={[
            {
              key: 'version',
              label: t('版本', 'Version'),
              children: (
                <Space>
                  <strong>v{set.version}</strong>
                  <StateTag state={set.state} />
                </Space>
              ),
            },
            { key: 'publishedAt', label: t('发布时间', 'Published at'), children: formatDateTime(set.publishedAt) },
            { key: 'publisher', label: t('发布人', 'Published by'), children: <ActorName actor={set.publishedBy} done={set.publishedAt !== null} /> },
            { key: 'basedOn', label: t('基于版本', 'Based on'), children: set.basedOn ? `v${set.basedOn}` : '—' },
            { key: 'updatedAt', label: t('最后修改', 'Last changed'), children: formatDateTime(set.updatedAt) },
            { key: 'creator', label: t('创建人', 'Created by'), children: <ActorName actor={set.createdBy} done /> },
            { key: 'note', label: t('备注', 'Note'), children: set.note || '—' },
          ]}
        />
      </Card>
      <Card title={t('级差与平级设置', 'Profit share & peer bonus')} style={{ marginBottom: 16 }}>
        <SettingsDescriptions body={set.body} words={words} />
      </Card>
      <Card title={t(`奖励规则（${set.body.rules.length}）`, `Reward rules (${set.body.rules.length})`)} style={{ marginBottom: 16 }}>
        <RuleList rules={set.body.rules} words={words} />
      </Card>
      <Card title={t('发放上限校验（最坏情况）', 'Ceiling check (worst case)')}>
        <WorstCaseTable rows={set.worstCase} words={words} />
      </Card>
    </div>
  );
}
