import { Tabs } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { useT } from '../../../shared/i18n';
import { PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { BlacklistTab } from './BlacklistTab';
import { OnboardingTab } from './OnboardingTab';
import { RegistrationTab } from './RegistrationTab';
import { WithdrawalsTab } from './WithdrawalsTab';

/**
 * System settings that no other page owns, one tab each (the tab is in the
 * URL, `?tab=withdrawals`, so it can be linked to). Level settings live on
 * the levels page and settlement settings on the settlement pages.
 */
export default function SettingsPage() {
  const t = useT();
  const { can } = useStaffSession();
  const [params, setParams] = useSearchParams();
  const items = [
    { key: 'registration', label: t('注册', 'Registration'), children: <RegistrationTab /> },
    { key: 'onboarding', label: t('入驻', 'Onboarding'), children: <OnboardingTab /> },
    { key: 'withdrawals', label: t('提现', 'Withdrawals'), children: <WithdrawalsTab /> },
    ...(can('owner', 'risk') ? [{ key: 'blacklist', label: t('风险黑名单', 'Risk blacklist'), children: <BlacklistTab /> }] : []),
  ];
  const wanted = params.get('tab');
  const active = items.some((i) => i.key === wanted) ? wanted! : 'registration';
  return (
    <div data-testid="page-settings">
      <PageTitle
        title={t('系统设置', 'Settings')}
        sub={t('等级设置见「等级体系」，结算设置见「月度结算」。所有修改都会记入审计日志。', 'Level settings are on the level ladder page, settlement settings on the settlement page. Every change is audited.')}
      />
      <Tabs activeKey={active} onChange={(key) => setParams({ tab: key }, { replace: true })} items={items} destroyOnHidden data-testid="settings-tabs" />
    </div>
  );
}
