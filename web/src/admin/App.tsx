import {
  ApiOutlined, AuditOutlined, BarChartOutlined, BookOutlined, CalendarOutlined, CreditCardOutlined, DashboardOutlined,
  FileSearchOutlined, FileTextOutlined, GiftOutlined, HistoryOutlined, LogoutOutlined, PieChartOutlined, RiseOutlined,
  SettingOutlined, TeamOutlined, TranslationOutlined, UserOutlined, WalletOutlined,
} from '@ant-design/icons';
import { App as AntApp, Avatar, Button, ConfigProvider, Dropdown, Layout, Menu, Spin, Tag, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { Suspense, useMemo, type ReactNode } from 'react';
import { BrowserRouter, matchPath, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { I18nProvider, useI18n } from '../shared/i18n';
import { Forbidden } from './components';
import LoginPage from './LoginPage';
import { adminRoutes, menuGroups, type MenuGroup } from './routes';
import { StaffSessionProvider, useStaffSession, type StaffRole } from './session';

const icons: Record<string, ReactNode> = {
  dashboard: <DashboardOutlined />, team: <TeamOutlined />, audit: <AuditOutlined />, rise: <RiseOutlined />, gift: <GiftOutlined />,
  pie: <PieChartOutlined />, calendar: <CalendarOutlined />, wallet: <WalletOutlined />, book: <BookOutlined />, pay: <CreditCardOutlined />,
  reconcile: <FileSearchOutlined />, report: <BarChartOutlined />, api: <ApiOutlined />, history: <HistoryOutlined />, user: <UserOutlined />,
  setting: <SettingOutlined />, file: <FileTextOutlined />,
};

const roleNames: Record<StaffRole, [string, string]> = {
  owner: ['所有者', 'Owner'], risk: ['风控', 'Risk'], finance: ['财务', 'Finance'], ops: ['运营', 'Operations'], viewer: ['只读', 'Viewer'],
};
export function roleLabel(role: StaffRole, lang: string): string {
  return roleNames[role][lang === 'en' ? 1 : 0];
}

function Shell() {
  const { me, loading, logout, can } = useStaffSession();
  const { t, lang, setLang } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();

  const allowed = (roles: StaffRole[] | null) => roles === null || can(...roles);
  const menuItems = useMemo(() => {
    const groups = new Map<MenuGroup, { key: string; icon: ReactNode; label: string }[]>();
    for (const r of adminRoutes) {
      if (!r.menu || !allowed(r.roles)) continue;
      const list = groups.get(r.menu.group) ?? [];
      list.push({ key: r.path, icon: icons[r.menu.icon], label: lang === 'en' ? r.menu.en : r.menu.zh });
      groups.set(r.menu.group, list);
    }
    return [...groups.entries()].map(([g, children]) => ({ type: 'group' as const, key: g, label: lang === 'en' ? menuGroups[g].en : menuGroups[g].zh, children }));
  }, [lang, me]);

  if (loading) return <Spin fullscreen />;
  if (!me) return <LoginPage />;

  const selected = adminRoutes
    .filter((r) => r.menu && (r.path === '/' ? location.pathname === '/' : location.pathname.startsWith(r.path)))
    .map((r) => r.path);
  const mustChange = !!me.mustChangePassword;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} breakpoint="lg" collapsedWidth={64} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
        <div style={{ height: 56, display: 'flex', alignItems: 'center', justifyContent: 'center', fontWeight: 600, fontSize: 18, color: '#1677ff' }}>商联</div>
        <Menu mode="inline" selectedKeys={selected} items={menuItems} onClick={(e) => navigate(e.key)} style={{ borderInlineEnd: 'none' }} data-testid="admin-menu" />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 12, borderBottom: '1px solid #f0f0f0' }}>
          <Button type="text" icon={<TranslationOutlined />} onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')} data-testid="lang-switch">
            {lang === 'en' ? '中文' : 'English'}
          </Button>
          <Dropdown
            menu={{
              items: [
                { key: 'account', icon: <UserOutlined />, label: t('账号与密码', 'Account & password') },
                { key: 'logout', icon: <LogoutOutlined />, label: t('退出登录', 'Sign out') },
              ],
              onClick: (e) => (e.key === 'logout' ? void logout() : navigate('/account')),
            }}
          >
            <span style={{ cursor: 'pointer', display: 'inline-flex', alignItems: 'center', gap: 8 }} data-testid="current-staff">
              <Avatar size="small" icon={<UserOutlined />} />
              <Typography.Text>{me.displayName}</Typography.Text>
              {me.roles.map((r) => (
                <Tag key={r} color={r === 'owner' ? 'gold' : 'blue'} style={{ marginInlineEnd: 0 }}>
                  {roleLabel(r, lang)}
                </Tag>
              ))}
            </span>
          </Dropdown>
        </Layout.Header>
        <Layout.Content style={{ padding: 24, minWidth: 0 }}>
          <Suspense fallback={<Spin style={{ display: 'block', margin: '80px auto' }} />}>
            {mustChange && !matchPath('/account', location.pathname) ? (
              <Navigate to="/account" replace />
            ) : (
              <Routes>
                {adminRoutes.map((r) => {
                  const Page = r.page;
                  return <Route key={r.path} path={r.path} element={allowed(r.roles) ? <Page /> : <Forbidden />} />;
                })}
                <Route path="*" element={<Navigate to="/" replace />} />
              </Routes>
            )}
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function Themed() {
  const { lang } = useI18n();
  dayjs.locale(lang === 'en' ? 'en' : 'zh-cn');
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={{ token: { colorPrimary: '#1677ff', borderRadius: 6 } }}>
      <AntApp>
        <StaffSessionProvider>
          <BrowserRouter basename="/admin">
            <Shell />
          </BrowserRouter>
        </StaffSessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export default function App() {
  return (
    <I18nProvider>
      <Themed />
    </I18nProvider>
  );
}
