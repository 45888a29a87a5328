import { EditOutlined, ExperimentOutlined, HistoryOutlined, QuestionCircleOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Badge, Skeleton, Space, Tabs } from 'antd';
import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useI18n } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert, PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { schemaContext, type Words } from './describe';
import { DraftTab } from './DraftTab';
import { RuleSetView } from './RuleSetView';
import { SimulationTab } from './SimulationTab';
import type { Definitions, DraftResponse, LadderLevel, StoredRuleSet } from './types';
import { VersionsTab } from './VersionsTab';
import { WhyTab } from './WhyTab';

const TABS = ['active', 'draft', 'simulate', 'versions', 'why'] as const;
type Tab = (typeof TABS)[number];

/**
 * 奖励规则: the active rule set in words, the draft editor (forms generated
 * from the server's registered definitions), simulation of the draft on past
 * events, the version history, and why a member was (not) paid for an event. The tab is in the URL (?tab=) so a link
 * or a reload lands on the same view.
 */
export default function RewardRulesPage() {
  const { t, lang } = useI18n();
  const { can } = useStaffSession();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'active';
  const setTab = (next: string) => setParams(next === 'active' ? {} : { tab: next }, { replace: true });

  const defs = useApi<Definitions>('/api/admin/rewards/definitions');
  const ladder = useApi<{ levels: LadderLevel[] }>('/api/admin/levels');
  const active = useApi<StoredRuleSet>('/api/admin/rewards/rule-sets/active');
  const draft = useApi<DraftResponse>('/api/admin/rewards/draft');
  const [versionsKey, setVersionsKey] = useState(0);

  const words = useMemo<Words | null>(() => {
    if (!defs.data || !ladder.data) return null;
    const levels = ladder.data.levels.filter((l) => l.enabled).map((l) => ({ rank: l.rank, name: l.name }));
    return { t, lang, defs: defs.data, ctx: schemaContext(defs.data, levels) };
  }, [defs.data, ladder.data, t, lang]);

  const { reload: reloadActive } = active;
  const { reload: reloadDraft } = draft;
  const reloadAll = useCallback(() => {
    reloadActive();
    reloadDraft();
    setVersionsKey((k) => k + 1);
  }, [reloadActive, reloadDraft]);

  const canEdit = can('owner', 'ops');
  // The simulate route admits finance as well (src/modules/rewards/rewards.routes.ts).
  const canSimulate = can('owner', 'ops', 'finance');
  const draftVersion = draft.data?.draft?.version ?? null;

  const loadError = defs.error ?? ladder.error;
  const body = (() => {
    if (loadError) {
      return (
        <ErrorAlert
          error={loadError}
          onRetry={() => {
            defs.reload();
            ladder.reload();
          }}
        />
      );
    }
    if (!words) return <Skeleton active paragraph={{ rows: 10 }} />;
    return (
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'active',
            label: (
              <Space size={6}>
                <SafetyCertificateOutlined />
                {t('当前生效', 'Active')}
              </Space>
            ),
            children: (
              <>
                <ErrorAlert error={active.error} onRetry={active.reload} />
                {active.data ? (
                  <RuleSetView set={active.data} words={words} testId="active-rule-set" />
                ) : active.loading ? (
                  <Skeleton active paragraph={{ rows: 8 }} />
                ) : null}
              </>
            ),
          },
          {
            key: 'draft',
            label: (
              <Space size={6}>
                <EditOutlined />
                {t('草稿编辑', 'Draft')}
                {draftVersion ? <Badge color="orange" text={`v${draftVersion}`} /> : null}
              </Space>
            ),
            children: (
              <DraftTab
                words={words}
                draft={draft}
                active={active.data}
                canEdit={canEdit}
                onChanged={reloadAll}
                onPublished={() => {
                  reloadAll();
                  setTab('active');
                }}
              />
            ),
          },
          {
            key: 'simulate',
            label: (
              <Space size={6}>
                <ExperimentOutlined />
                {t('模拟', 'Simulate')}
              </Space>
            ),
            children: <SimulationTab words={words} canSimulate={canSimulate} draftVersion={draftVersion} />,
          },
          {
            key: 'versions',
            label: (
              <Space size={6}>
                <HistoryOutlined />
                {t('版本历史', 'Versions')}
              </Space>
            ),
            children: <VersionsTab words={words} reloadKey={versionsKey} />,
          },
          {
            key: 'why',
            label: (
              <Space size={6}>
                <QuestionCircleOutlined />
                {t('奖励解释', 'Why paid')}
              </Space>
            ),
            children: <WhyTab />,
          },
        ]}
      />
    );
  })();

  return (
    <div data-testid="page-rewards">
      <PageTitle
        title={t('奖励规则', 'Reward rules')}
        sub={t('奖励规则、级差分润与平级奖：草稿编辑、模拟与发布', 'Reward rules, profit share and peer bonus: edit a draft, simulate, publish')}
      />
      {body}
    </div>
  );
}
