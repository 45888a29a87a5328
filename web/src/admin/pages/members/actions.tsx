import { ApartmentOutlined, PauseCircleOutlined, PlayCircleOutlined, RiseOutlined, UnlockOutlined } from '@ant-design/icons';
import { Alert, App, Button, Checkbox, Form, Input, Modal, Select, Space, Spin, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { api, errorText } from '../../../shared/api';
import { maskPhone } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { ppmToPercent } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { ConfirmButton } from '../../components';
import { useStaffSession } from '../../session';
import type { AdminMember, LadderLevel, MemberLevel, TreeView } from './model';
import { memberCache } from './parts';

type T = (zh: string, en: string) => string;

const reasonRules = (t: T) => [
  { required: true, whitespace: true, message: t('请填写原因', 'Enter a reason') },
  { min: 2, message: t('原因至少 2 个字', 'At least 2 characters') },
  { max: 500, message: t('原因最多 500 字', 'At most 500 characters') },
];

function ReasonField({ placeholder }: { placeholder: string }) {
  const t = useT();
  return (
    <Form.Item name="reason" label={t('原因（记入审计日志）', 'Reason (kept in the audit log)')} rules={reasonRules(t)}>
      <Input.TextArea data-testid="action-reason" rows={3} showCount maxLength={500} placeholder={placeholder} />
    </Form.Item>
  );
}

/**
 * A form in a modal whose submission is confirmed once more, since each of
 * these changes reaches the member at once (sessions end, rewards follow the
 * new level or the new upline).
 */
function ActionModal<V extends object>(props: {
  open: boolean;
  title: string;
  okText: string;
  danger?: boolean;
  confirmTitle: (v: V) => string;
  confirmText: (v: V) => string;
  onClose: () => void;
  submit: (v: V) => Promise<unknown>;
  success: string;
  children: ReactNode;
  testId: string;
}) {
  const t = useT();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<V>();
  const onOk = async () => {
    let values: V;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    modal.confirm({
      title: props.confirmTitle(values),
      content: props.confirmText(values),
      okText: t('确认', 'Confirm'),
      cancelText: t('取消', 'Cancel'),
      okButtonProps: { danger: props.danger, ...({ 'data-testid': `${props.testId}-confirm` } as Record<string, string>) },
      onOk: async () => {
        try {
          await props.submit(values);
          message.success(props.success);
          props.onClose();
        } catch (e) {
          message.error(errorText(e));
        }
      },
    });
  };
  return (
    <Modal
      open={props.open}
      title={props.title}
      okText={props.okText}
      cancelText={t('取消', 'Cancel')}
      okButtonProps={{ danger: props.danger, ...({ 'data-testid': `${props.testId}-submit` } as Record<string, string>) }}
      onOk={() => void onOk()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" preserve={false} data-testid={props.testId}>
        {props.children}
      </Form>
    </Modal>
  );
}

type Open = null | 'status' | 'level' | 'parent';

/** Picks the new inviter by phone, name or invite code, as the member list searches. */
function ParentPicker({ memberId, value, onChange, onPicked }: { memberId: number; value?: number; onChange?: (v: number) => void; onPicked: (label: string) => void }) {
  const t = useT();
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const id = setTimeout(() => setDebounced(q.trim()), 300);
    return () => clearTimeout(id);
  }, [q]);
  const found = useApi<{ items: AdminMember[] }>(debounced ? '/api/admin/members' : null, { q: debounced, limit: 10 });
  const options = (debounced ? (found.data?.items ?? []) : [])
    .filter((m) => m.id !== memberId)
    .map((m) => ({ value: m.id, label: `${m.displayName} · ${maskPhone(m.phone)} · #${m.id}` }));
  return (
    <Select
      data-testid="parent-picker"
      showSearch
      filterOption={false}
      value={value}
      onChange={(v, option) => {
        onChange?.(v);
        if (option && !Array.isArray(option)) onPicked(String(option.label));
      }}
      onSearch={setQ}
      placeholder={t('输入手机号、昵称或邀请码搜索', 'Search by phone, name or invite code')}
      notFoundContent={found.loading ? <Spin size="small" /> : debounced ? t('没有找到会员', 'No member found') : t('请输入关键词', 'Type to search')}
      options={options}
    />
  );
}

/**
 * What staff may do to a member, each shown only to the roles the server
 * accepts: status, unlock and re-parenting for owner and risk; the level for
 * the owner alone.
 */
export function MemberActions(props: { member: AdminMember; level: MemberLevel | undefined; tree: TreeView | undefined; onChanged: () => void }) {
  const { member, level, tree, onChanged } = props;
  const t = useT();
  const { message } = App.useApp();
  const { can } = useStaffSession();
  const [open, setOpen] = useState<Open>(null);
  const [pickedParent, setPickedParent] = useState('');
  const ladder = useApi<{ levels: LadderLevel[] }>(open === 'level' ? '/api/admin/levels' : null);
  const riskOrOwner = can('owner', 'risk');
  const owner = can('owner');
  if (!riskOrOwner) return null;

  const close = () => setOpen(null);
  const done = () => {
    memberCache.forget(member.id);
    onChanged();
  };
  const suspending = member.status === 'active';
  const parent = tree?.upline.at(-1);
  const team = tree?.team.total ?? 0;

  const unlock = async () => {
    try {
      await api.post(`/api/admin/members/${member.id}/unlock`, {});
      message.success(t('已解除登录锁定', 'Login lock lifted'));
      done();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <Space wrap>
      {member.lockedUntil ? (
        <ConfirmButton title={t('解除该会员的登录锁定？', 'Lift the login lock?')} description={t('会员可立即再次尝试登录', 'The member can sign in again at once')} onConfirm={unlock}>
          <span data-testid="member-unlock"><UnlockOutlined /> {t('解除锁定', 'Unlock')}</span>
        </ConfirmButton>
      ) : null}
      {owner ? (
        <Button icon={<RiseOutlined />} onClick={() => setOpen('level')} data-testid="member-set-level">
          {t('调整等级', 'Set level')}
        </Button>
      ) : null}
      <Button icon={<ApartmentOutlined />} onClick={() => setOpen('parent')} data-testid="member-set-parent">
        {t('调整上级', 'Change inviter')}
      </Button>
      {member.status !== 'closed' ? (
        <Button
          danger={suspending}
          type={suspending ? 'default' : 'primary'}
          icon={suspending ? <PauseCircleOutlined /> : <PlayCircleOutlined />}
          onClick={() => setOpen('status')}
          data-testid="member-status-action"
        >
          {suspending ? t('暂停账号', 'Suspend') : t('恢复账号', 'Reactivate')}
        </Button>
      ) : null}

      <ActionModal<{ reason: string }>
        open={open === 'status'}
        testId="member-status-form"
        title={suspending ? t(`暂停账号 · ${member.displayName}`, `Suspend ${member.displayName}`) : t(`恢复账号 · ${member.displayName}`, `Reactivate ${member.displayName}`)}
        okText={suspending ? t('暂停', 'Suspend') : t('恢复', 'Reactivate')}
        danger={suspending}
        confirmTitle={() => (suspending ? t('确认暂停该账号？', 'Suspend this account?') : t('确认恢复该账号？', 'Reactivate this account?'))}
        confirmText={(v) => t(`原因：${v.reason.trim()}`, `Reason: ${v.reason.trim()}`)}
        onClose={close}
        success={suspending ? t('账号已暂停', 'Account suspended') : t('账号已恢复', 'Account reactivated')}
        submit={async (v) => {
          await api.put(`/api/admin/members/${member.id}/status`, { status: suspending ? 'suspended' : 'active', reason: v.reason.trim() });
          done();
        }}
      >
        <Alert
          type={suspending ? 'warning' : 'info'}
          showIcon
          style={{ marginBottom: 16 }}
          message={suspending ? t('暂停后会员无法登录，当前所有登录会话立即失效。', 'The member cannot sign in; every session ends now.') : t('恢复后会员可以重新登录。', 'The member can sign in again.')}
        />
        <ReasonField placeholder={suspending ? t('例如：涉嫌套现，待核查', 'e.g. Suspected cash-out, under review') : t('例如：核查无异常', 'e.g. Checked, nothing found')} />
      </ActionModal>

      <ActionModal<{ levelId: number; reason: string }>
        open={open === 'level'}
        testId="member-level-form"
        title={t(`调整等级 · ${member.displayName}`, `Set the level of ${member.displayName}`)}
        okText={t('保存', 'Save')}
        confirmTitle={(v) => {
          const to = ladder.data?.levels.find((l) => l.id === v.levelId)?.name ?? '';
          return t(`确认将等级调整为「${to}」？`, `Set the level to ${to}?`);
        }}
        confirmText={() => t('调整立即生效，并记入等级变更记录与审计日志。', 'Takes effect at once; recorded in the level history and the audit log.')}
        onClose={close}
        success={t('等级已调整', 'Level changed')}
        submit={async (v) => {
          await api.put(`/api/admin/members/${member.id}/level`, { levelId: v.levelId, reason: v.reason.trim() });
          done();
        }}
      >
        <Typography.Paragraph type="secondary">
          {t(`当前等级：${level?.level.name ?? '—'}`, `Current level: ${level?.level.name ?? '—'}`)}
        </Typography.Paragraph>
        <Form.Item name="levelId" label={t('新等级', 'New level')} rules={[{ required: true, message: t('请选择等级', 'Choose a level') }]}>
          <Select
            data-testid="level-picker"
            loading={ladder.loading}
            placeholder={t('选择已启用的等级', 'An enabled level')}
            options={(ladder.data?.levels ?? [])
              .filter((l) => l.enabled)
              .sort((a, b) => a.rank - b.rank)
              .map((l) => ({
                value: l.id,
                disabled: l.id === level?.level.id,
                label: `${l.name}${l.rateProfitSharePpm > 0 ? ` · ${t('分润', 'share')} ${ppmToPercent(l.rateProfitSharePpm)}` : ''}${l.id === level?.level.id ? ` (${t('当前', 'current')})` : ''}`,
              }))}
          />
        </Form.Item>
        <ReasonField placeholder={t('例如：线下活动奖励', 'e.g. Offline campaign reward')} />
      </ActionModal>

      <ActionModal<{ parentId?: number; top?: boolean; reason: string }>
        open={open === 'parent'}
        testId="member-parent-form"
        title={t(`调整上级 · ${member.displayName}`, `Change the inviter of ${member.displayName}`)}
        okText={t('保存', 'Save')}
        danger
        confirmTitle={(v) => (v.top ? t('确认将该会员设为顶层（无上级）？', 'Make this member top-level?') : t(`确认将上级改为「${pickedParent || `#${v.parentId}`}」？`, `Move under ${pickedParent || `#${v.parentId}`}?`))}
        confirmText={() =>
          team > 0
            ? t(`该会员的整个下级团队（${team} 人）将随之移动，此后的奖励按新的上级链路计算。`, `Its whole downline (${team}) moves too; later rewards follow the new upline.`)
            : t('此后的奖励按新的上级链路计算。', 'Later rewards follow the new upline.')
        }
        onClose={close}
        success={t('上级已调整', 'Inviter changed')}
        submit={async (v) => {
          await api.put(`/api/admin/members/${member.id}/parent`, { parentId: v.top ? null : v.parentId, reason: v.reason.trim() });
          done();
        }}
      >
        <Typography.Paragraph type="secondary">
          {parent ? t(`当前上级：${parent.displayName}（#${parent.memberId}）`, `Current inviter: ${parent.displayName} (#${parent.memberId})`) : t('当前没有上级（顶层会员）', 'No inviter now (top of the network)')}
        </Typography.Paragraph>
        <Form.Item name="top" valuePropName="checked" style={{ marginBottom: 8 }}>
          <Checkbox>{t('设为顶层会员（无上级）', 'Top of the network (no inviter)')}</Checkbox>
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.top !== b.top}>
          {({ getFieldValue }) =>
            getFieldValue('top') ? null : (
              <Form.Item name="parentId" label={t('新上级', 'New inviter')} rules={[{ required: true, message: t('请选择新上级', 'Choose the new inviter') }]}>
                <ParentPicker memberId={member.id} onPicked={setPickedParent} />
              </Form.Item>
            )
          }
        </Form.Item>
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('不能移到自己的下级之下；整个下级团队会一起移动。', 'Cannot move under its own downline; the whole downline moves along.')} />
        <ReasonField placeholder={t('例如：邀请关系填错，经双方确认更正', 'e.g. Wrong inviter, corrected with both parties')} />
      </ActionModal>
    </Space>
  );
}
