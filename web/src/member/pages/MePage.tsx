import { ActionSheet, Button, Dialog, List, Tag, Toast } from 'antd-mobile';
import { BankcardOutline, FileOutline, GiftOutline, GlobalOutline, LockOutline, QuestionCircleOutline, UserAddOutline, UserSetOutline } from 'antd-mobile-icons';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../../shared/api';
import { maskPhone } from '../../shared/format';
import { useI18n } from '../../shared/i18n';
import { useApi } from '../../shared/use-api';
import { useMemberSession } from '../session';
import { ChangePasswordPopup } from './components/ChangePasswordPopup';
import { copyText } from './components/clipboard';
import { useErrorText } from './components/errors';
import { onboardingStateLabel } from './components/labels';
import type { Invite, MyLevel, OnboardingView } from './components/types';
import { PageBody, Section } from './components/ui';

export default function MePage() {
  const { t, lang, setLang } = useI18n();
  const errText = useErrorText();
  const navigate = useNavigate();
  const { me, logout } = useMemberSession();
  const level = useApi<MyLevel>('/api/member/level');
  const invite = useApi<Invite>('/api/member/invite');
  const onboarding = useApi<OnboardingView>('/api/member/onboarding');
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [langOpen, setLangOpen] = useState(false);
  const name = typeof me?.displayName === 'string' ? me.displayName : (me?.name ?? '');
  const state = onboarding.data ? onboardingStateLabel(t, onboarding.data.application.state) : null;

  const signOut = async () => {
    const ok = await Dialog.confirm({ content: t('确定退出登录吗？', 'Log out now?'), confirmText: t('退出', 'Log out'), cancelText: t('取消', 'Cancel') });
    if (!ok) return;
    try {
      await logout();
    } finally {
      void navigate('/login', { replace: true });
    }
  };

  const signOutEverywhere = async () => {
    const ok = await Dialog.confirm({
      title: t('退出所有设备', 'Log out everywhere'),
      content: t('将退出您在所有手机和电脑上的登录（包括本机），确定吗？', 'Every session on every device ends, this one included. Continue?'),
      confirmText: t('全部退出', 'Log out all'),
      cancelText: t('取消', 'Cancel'),
    });
    if (!ok) return;
    try {
      const r = await api.delete<{ ended: number }>('/api/member/sessions');
      Toast.show({ content: t(`已退出 ${r.ended} 个登录`, `${r.ended} sessions ended`) });
      await logout().catch(() => undefined);
      void navigate('/login', { replace: true });
    } catch (err) {
      Toast.show({ content: errText(err) });
    }
  };

  const copyCode = async () => {
    if (!invite.data) return;
    const ok = await copyText(invite.data.code);
    Toast.show(ok ? { icon: 'success', content: t('邀请码已复制', 'Invite code copied') } : { content: t('复制失败', 'Could not copy') });
  };

  return (
    <PageBody testId="page-me">
      <div data-testid="me-profile" style={{ display: 'flex', alignItems: 'center', gap: 14, padding: 16, borderRadius: 12, background: 'linear-gradient(135deg, #1677ff 0%, #69b1ff 100%)', color: '#fff' }}>
        <div style={{ width: 56, height: 56, borderRadius: 28, background: 'rgba(255,255,255,.25)', fontSize: 24, fontWeight: 700, display: 'flex', alignItems: 'center', justifyContent: 'center', flexShrink: 0 }}>
          {[...(name || '商')][0]}
        </div>
        <div style={{ minWidth: 0, flex: 1 }}>
          <div style={{ fontSize: 18, fontWeight: 700, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} data-testid="me-name">
            {name}
          </div>
          <div style={{ fontSize: 13, opacity: 0.9, marginTop: 2 }} data-testid="me-phone">
            {me ? maskPhone(me.phone) : ''}
          </div>
          <div style={{ display: 'flex', gap: 6, marginTop: 6, flexWrap: 'wrap' }}>
            {level.data ? (
              <Tag color="#ffd666" style={{ color: '#5c3c00' }} data-testid="me-level">
                {level.data.level.name}
              </Tag>
            ) : null}
            {me && me.status !== 'active' ? <Tag color="warning">{t('账号受限', 'Restricted')}</Tag> : null}
          </div>
        </div>
      </div>

      <Section style={{ padding: '12px 16px' }}>
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8 }}>
          <div>
            <div style={{ fontSize: 12, color: 'var(--adm-color-weak)' }}>{t('我的邀请码', 'My invite code')}</div>
            <div style={{ fontSize: 20, fontWeight: 700, letterSpacing: 2, fontFamily: 'ui-monospace, Menlo, monospace' }} data-testid="me-invite-code">
              {invite.data?.code ?? '—'}
            </div>
          </div>
          <div style={{ display: 'flex', gap: 8 }}>
            <Button size="small" fill="outline" color="primary" onClick={() => void copyCode()} disabled={!invite.data}>
              {t('复制', 'Copy')}
            </Button>
            <Button size="small" color="primary" onClick={() => navigate('/invite')}>
              {t('邀请', 'Invite')}
            </Button>
          </div>
        </div>
      </Section>

      <List mode="card" style={{ margin: 0 }}>
        <List.Item prefix={<FileOutline />} onClick={() => navigate('/onboarding')} extra={state ? <Tag color={state.color} fill="outline">{state.text}</Tag> : null} data-testid="me-link-onboarding">
          {t('入驻资料', 'Onboarding')}
        </List.Item>
        <List.Item prefix={<GiftOutline />} onClick={() => navigate('/level')} extra={level.data?.level.name} data-testid="me-link-level">
          {t('我的等级', 'My level')}
        </List.Item>
        <List.Item prefix={<UserAddOutline />} onClick={() => navigate('/invite')} data-testid="me-link-invite">
          {t('邀请好友', 'Invite friends')}
        </List.Item>
        <List.Item prefix={<BankcardOutline />} onClick={() => navigate('/withdraw')} data-testid="me-link-withdraw">
          {t('提现', 'Withdraw')}
        </List.Item>
        <List.Item prefix={<QuestionCircleOutline />} onClick={() => navigate('/rules')} data-testid="me-link-rules">
          {t('奖励规则', 'Reward rules')}
        </List.Item>
      </List>

      <List mode="card" style={{ margin: 0 }}>
        <List.Item prefix={<GlobalOutline />} onClick={() => setLangOpen(true)} extra={lang === 'en' ? 'English' : '简体中文'} data-testid="me-language">
          {t('语言', 'Language')}
        </List.Item>
        <List.Item prefix={<LockOutline />} onClick={() => setPasswordOpen(true)} data-testid="me-change-password">
          {t('修改密码', 'Change password')}
        </List.Item>
        <List.Item prefix={<UserSetOutline />} onClick={() => void signOutEverywhere()} data-testid="me-logout-all">
          {t('退出所有设备', 'Log out everywhere')}
        </List.Item>
      </List>

      <Button block size="large" onClick={() => void signOut()} data-testid="me-logout" style={{ color: 'var(--adm-color-danger)', marginTop: 4 }}>
        {t('退出登录', 'Log out')}
      </Button>

      <ActionSheet
        visible={langOpen}
        onClose={() => setLangOpen(false)}
        cancelText={t('取消', 'Cancel')}
        actions={[
          { key: 'zh-CN', text: '简体中文', bold: lang === 'zh-CN', onClick: () => setLang('zh-CN') },
          { key: 'en', text: 'English', bold: lang === 'en', onClick: () => setLang('en') },
        ]}
        onAction={() => setLangOpen(false)}
      />
      <ChangePasswordPopup visible={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </PageBody>
  );
}
