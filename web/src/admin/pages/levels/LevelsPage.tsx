import { EditOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Row, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { api, ApiError, errorText } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert, PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { LadderTable } from './LadderTable';
import { LadderVersions } from './LadderVersions';
import { type EditableLevel, type Ladder, ladderProblems, type LevelSettings } from './ladder';
import { LevelModal } from './LevelModal';
import { LevelSettingsCard } from './LevelSettingsCard';

const editable = (ladder: Ladder): EditableLevel[] => ladder.levels.map((l) => ({ ...l, key: String(l.id) }));

/** Server problems come as `{field, message}` per problem; anything else is shown as its message. */
function problemList(err: unknown): string[] {
  if (err instanceof ApiError && Array.isArray(err.details)) {
    return (err.details as { message?: unknown }[]).map((d) => String(d.message ?? '')).filter(Boolean);
  }
  return [];
}

/**
 * 等级体系: the ladder in words, an editor for its working copy (saved as a
 * whole with the version read, so two editors cannot overwrite each other),
 * its saved versions, and the purchase/downgrade settings.
 */
export default function LevelsPage() {
  const t = useT();
  const { message, modal } = App.useApp();
  const { can } = useStaffSession();
  // PUT /api/admin/levels is open to owners and ops; the settings only to owners.
  const canEditLadder = can('owner', 'ops');
  const canEditSettings = can('owner');

  const ladder = useApi<Ladder>('/api/admin/levels');
  const settings = useApi<LevelSettings>('/api/admin/settings/levels');
  const [working, setWorking] = useState<EditableLevel[] | null>(null);
  const [editingLevel, setEditingLevel] = useState<EditableLevel | null>(null);
  const [modalOpen, setModalOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverProblems, setServerProblems] = useState<string[]>([]);
  const [versionsKey, setVersionsKey] = useState(0);

  const startingLevelId = ladder.data?.levels.find((l) => l.enabled)?.id;
  const rows = working ?? (ladder.data ? editable(ladder.data) : []);
  const problems = useMemo(() => (working ? ladderProblems(working, startingLevelId, t) : []), [working, startingLevelId, t]);
  const upgradeByDifference = !!settings.data?.upgradeByDifference;

  const startEditing = () => {
    if (!ladder.data) return;
    setWorking(editable(ladder.data));
    setServerProblems([]);
  };
  const cancelEditing = () => {
    setWorking(null);
    setServerProblems([]);
  };

  const openModal = (level: EditableLevel | null) => {
    setEditingLevel(level);
    setModalOpen(true);
  };
  const applyLevel = (level: EditableLevel) => {
    setWorking((w) => {
      const list = w ?? [];
      return list.some((l) => l.key === level.key) ? list.map((l) => (l.key === level.key ? level : l)) : [...list, level];
    });
    setModalOpen(false);
  };
  const removeLevel = (level: EditableLevel) => setWorking((w) => (w ?? []).filter((l) => l.key !== level.key));

  const save = async () => {
    if (!working || !ladder.data) return;
    setSaving(true);
    setServerProblems([]);
    try {
      await api.put<Ladder>('/api/admin/levels', {
        version: ladder.data.version,
        levels: working.map(({ key: _key, holders: _holders, ...level }) => level),
      });
      message.success(t('等级体系已保存为新版本', 'The ladder was saved as a new version'));
      setWorking(null);
      ladder.reload();
      setVersionsKey((k) => k + 1);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.code === 'CONFLICT') {
        modal.warning({
          title: t('等级体系已被他人保存', 'Someone else saved the ladder'),
          content: t('您编辑期间有人保存了新版本。已重新加载最新的等级体系，请在此基础上重新修改。', 'A newer version was saved while you were editing. The latest ladder was loaded; please make your change again.'),
          okText: t('知道了', 'OK'),
        });
        setWorking(null);
        ladder.reload();
        setVersionsKey((k) => k + 1);
      } else {
        const list = problemList(e);
        setServerProblems(list.length ? list : [errorText(e)]);
        message.error(t('保存失败', 'Could not save'));
      }
    } finally {
      setSaving(false);
    }
  };

  const editing = working !== null;
  const actions = !canEditLadder ? null : editing ? (
    <>
      <Button icon={<PlusOutlined />} onClick={() => openModal(null)} data-testid="level-add">
        {t('新增等级', 'Add level')}
      </Button>
      <Button onClick={cancelEditing} disabled={saving}>
        {t('放弃修改', 'Discard changes')}
      </Button>
      <Button type="primary" icon={<SaveOutlined />} onClick={() => void save()} loading={saving} disabled={problems.length > 0} data-testid="levels-save">
        {t('保存等级体系', 'Save ladder')}
      </Button>
    </>
  ) : (
    <Button type="primary" icon={<EditOutlined />} onClick={startEditing} disabled={!ladder.data} data-testid="levels-edit">
      {t('编辑等级', 'Edit levels')}
    </Button>
  );

  return (
    <div data-testid="page-levels">
      <PageTitle
        title={t('等级体系', 'Level ladder')}
        sub={t('会员等级、购买价格、级差分润比例与升降级条件', 'Member levels, prices, profit-share rates and up/downgrade conditions')}
        extra={actions}
      />
      <ErrorAlert error={ladder.error} onRetry={ladder.reload} />
      <Card
        title={
          <Space>
            {t('等级列表', 'Levels')}
            {ladder.data ? <Tag color="blue">{t(`版本 v${ladder.data.version}`, `Version v${ladder.data.version}`)}</Tag> : null}
            {editing ? <Tag color="orange">{t('编辑中，尚未保存', 'Editing — not saved')}</Tag> : null}
          </Space>
        }
        extra={!canEditLadder ? <Typography.Text type="secondary">{t('只读：仅所有者和运营可编辑', 'Read-only: owners and ops edit')}</Typography.Text> : null}
        style={{ marginBottom: 16 }}
      >
        {editing && problems.length > 0 ? (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            message={t('以下问题解决后才能保存', 'Fix these before saving')}
            description={<ul style={{ margin: 0, paddingInlineStart: 18 }}>{problems.map((p) => <li key={p}>{p}</li>)}</ul>}
            data-testid="levels-problems"
          />
        ) : null}
        {serverProblems.length > 0 ? (
          <Alert
            type="error"
            showIcon
            closable
            onClose={() => setServerProblems([])}
            style={{ marginBottom: 16 }}
            message={t('服务器拒绝了保存', 'The server refused the save')}
            description={<ul style={{ margin: 0, paddingInlineStart: 18 }}>{serverProblems.map((p) => <li key={p}>{p}</li>)}</ul>}
          />
        ) : null}
        <LadderTable
          levels={rows}
          loading={ladder.loading && !ladder.data}
          upgradeByDifference={upgradeByDifference}
          startingLevelId={startingLevelId}
          onEdit={editing ? (l) => openModal(l) : undefined}
          onRemove={editing ? removeLevel : undefined}
          testId="levels-table"
        />
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={8}>
          <LevelSettingsCard settings={settings} canEdit={canEditSettings} />
        </Col>
        <Col xs={24} xl={16}>
          <LadderVersions currentVersion={ladder.data?.version} reloadKey={versionsKey} upgradeByDifference={upgradeByDifference} />
        </Col>
      </Row>
      <LevelModal
        open={modalOpen}
        level={editingLevel}
        others={(working ?? []).filter((l) => l.key !== editingLevel?.key)}
        isStarting={editingLevel?.id !== undefined && editingLevel.id === startingLevelId}
        onCancel={() => setModalOpen(false)}
        onSubmit={applyLevel}
      />
    </div>
  );
}
