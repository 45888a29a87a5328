import { InfoCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Progress, Row, Space, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { api, ApiError, errorText } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { ppmToPercent } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert, PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { useLevelNames } from './levels';
import type { Tier, TiersView, TierVersionItem } from './model';
import { SettlementSettingsCard } from './SettlementSettingsCard';
import { TierDrawer } from './TierDrawer';
import { enabledPoolPpm, MAX_ENABLED_POOL_PPM, MAX_TIERS } from './tier-form';
import { TiersTable } from './TiersTable';
import { TierVersionsCard } from './TierVersionsCard';

type SaveOutcome = 'saved' | 'stale' | 'failed';

/**
 * 分红档位: the tiers every monthly settlement qualifies members with, their
 * version history, and the settlement schedule. Every save of the tiers is a
 * new version based on the one read (a stale one is refused with 409).
 */
export default function DividendTiersPage() {
  const t = useT();
  const { message, modal } = App.useApp();
  const { can } = useStaffSession();
  const isOwner = can('owner');
  const levels = useLevelNames(t);
  const current = useApi<TiersView>('/api/admin/dividends/tiers');
  const versions = useApi<{ items: TierVersionItem[] }>('/api/admin/dividends/tiers/versions');
  const [drawer, setDrawer] = useState<{ open: boolean; editing: Tier | null }>({ open: false, editing: null });
  const [saving, setSaving] = useState(false);

  const data = current.data;
  const tiers = data?.tiers ?? [];
  const poolPpm = enabledPoolPpm(tiers);

  const save = async (next: Tier[], note: string | null, done: string): Promise<SaveOutcome> => {
    if (!data) return 'failed';
    setSaving(true);
    try {
      // Without a note of its own, the version is labelled with what changed (the history reads better than a dash).
      const saved = await api.put<TiersView>('/api/admin/dividends/tiers', { tiers: next, basedOn: data.version, note: note ?? done });
      message.success(t(`${done}，已保存为 v${saved.version}`, `${done}; saved as v${saved.version}`));
      return 'saved';
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        message.warning(t('档位已被他人修改，已为您加载最新版本，请在最新版本上重新修改', 'Someone else changed the tiers; the latest version is loaded, please make your change again'), 5);
        return 'stale';
      }
      message.error(errorText(e));
      return 'failed';
    } finally {
      setSaving(false);
      current.reload();
      versions.reload();
    }
  };

  const onToggle = (tier: Tier, enabled: boolean) => {
    const next = tiers.map((x) => (x.id === tier.id ? { ...x, enabled } : x));
    if (enabled && enabledPoolPpm(next) > MAX_ENABLED_POOL_PPM) {
      message.error(t(`启用后奖池合计为 ${ppmToPercent(enabledPoolPpm(next))}，超过 30% 上限`, `Enabled pools would total ${ppmToPercent(enabledPoolPpm(next))}, over the 30% limit`));
      return;
    }
    modal.confirm({
      title: enabled ? t(`启用「${tier.name}」？`, `Enable "${tier.name}"?`) : t(`停用「${tier.name}」？`, `Disable "${tier.name}"?`),
      content: t(`将保存为分红档位 v${(data?.version ?? 0) + 1}，从之后新建的结算起生效。`, `Saved as tiers v${(data?.version ?? 0) + 1}; applies to runs opened from now on.`),
      okText: t('确定', 'OK'),
      cancelText: t('取消', 'Cancel'),
      onOk: () => save(next, null, enabled ? t(`已启用「${tier.name}」`, `Enabled "${tier.name}"`) : t(`已停用「${tier.name}」`, `Disabled "${tier.name}"`)),
    });
  };

  const onDelete = (tier: Tier) =>
    save(
      tiers.filter((x) => x.id !== tier.id),
      null,
      t(`已删除「${tier.name}」`, `Deleted "${tier.name}"`),
    );

  const onDrawerSave = async (tier: Tier, note: string | null) => {
    const editing = drawer.editing;
    const next = editing ? tiers.map((x) => (x.id === editing.id ? tier : x)) : [...tiers, tier];
    const outcome = await save(next, note, editing ? t(`已更新「${tier.name}」`, `Updated "${tier.name}"`) : t(`已新增「${tier.name}」`, `Added "${tier.name}"`));
    // A stale form is closed too: it was filled from a version that is no longer current.
    return outcome !== 'failed';
  };

  const poolShare = Math.min(100, (poolPpm / MAX_ENABLED_POOL_PPM) * 100);

  return (
    <div data-testid="page-dividend-tiers">
      <PageTitle
        title={t('分红档位', 'Dividend tiers')}
        sub={t('每月按平台交易额的比例计提奖池，满足档位全部条件的商户平分', 'Each month a share of the platform volume forms a pool, shared equally by merchants meeting every condition of the tier')}
        extra={
          isOwner ? (
            <Tooltip title={tiers.length >= MAX_TIERS ? t(`最多 ${MAX_TIERS} 个档位`, `At most ${MAX_TIERS} tiers`) : undefined}>
              <Button
                type="primary"
                icon={<PlusOutlined />}
                disabled={!data || saving || tiers.length >= MAX_TIERS}
                onClick={() => setDrawer({ open: true, editing: null })}
                data-testid="tier-add"
              >
                {t('新增档位', 'Add tier')}
              </Button>
            </Tooltip>
          ) : null
        }
      />
      <ErrorAlert error={current.error} onRetry={current.reload} />
      <Card
        title={
          <Space>
            {t('当前档位', 'Current tiers')}
            {data && data.version > 0 ? <Tag color="blue">v{data.version}</Tag> : null}
            {data && data.version > 0 ? (
              <Typography.Text type="secondary" style={{ fontWeight: 'normal', fontSize: 13 }}>
                {t(`保存于 ${formatDateTime(data.savedAt)}`, `saved ${formatDateTime(data.savedAt)}`)}
                {data.note ? ` · ${data.note}` : ''}
              </Typography.Text>
            ) : null}
          </Space>
        }
        extra={
          <Space size={12} style={{ minWidth: 260 }}>
            <Typography.Text type="secondary">{t('启用档位奖池合计', 'Enabled pools')}</Typography.Text>
            <Progress percent={poolShare} showInfo={false} size="small" style={{ width: 100, margin: 0 }} status={poolPpm > MAX_ENABLED_POOL_PPM ? 'exception' : 'normal'} />
            <Typography.Text strong data-testid="tier-pool-total">
              {ppmToPercent(poolPpm)} / 30%
            </Typography.Text>
          </Space>
        }
        style={{ marginBottom: 16 }}
        styles={{ body: { paddingTop: 8 } }}
      >
        {!isOwner ? (
          <Alert
            type="info"
            showIcon
            icon={<InfoCircleOutlined />}
            style={{ margin: '8px 0 12px' }}
            message={t('仅所有者可以修改分红档位', 'Only the owner can change the dividend tiers')}
          />
        ) : null}
        <TiersTable
          tiers={tiers}
          levels={levels}
          loading={current.loading && !data}
          testId="dividend-tiers-table"
          actions={isOwner ? { busy: saving, onToggle, onEdit: (tier) => setDrawer({ open: true, editing: tier }), onDelete: (tier) => void onDelete(tier) } : undefined}
        />
        <Typography.Paragraph type="secondary" style={{ margin: '12px 0 0', fontSize: 12 }}>
          {t(
            '奖池 = 平台当月交易额 × 比例；每人分得 = 奖池 ÷ 合格人数（向下取整到分，余数留存平台）。修改后从新建的结算起生效，已开始的结算沿用其创建时的版本。',
            'Pool = the month’s platform volume × share; each gets pool ÷ qualifiers (floored to the fen, the remainder stays with the platform). Changes apply to runs opened afterwards; open runs keep their version.',
          )}
        </Typography.Paragraph>
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={11}>
          <SettlementSettingsCard />
        </Col>
        <Col xs={24} xl={13}>
          <TierVersionsCard versions={versions} current={data?.version} levels={levels} />
        </Col>
      </Row>
      <TierDrawer
        open={drawer.open}
        editing={drawer.editing}
        tiers={tiers}
        nextVersion={(data?.version ?? 0) + 1}
        levels={levels}
        saving={saving}
        onClose={() => setDrawer((d) => ({ ...d, open: false }))}
        onSave={onDrawerSave}
      />
    </div>
  );
}
