import { ConfigProvider, DotLoading, NavBar, SafeArea, TabBar } from 'antd-mobile';
import enUS from 'antd-mobile/es/locales/en-US';
import zhCN from 'antd-mobile/es/locales/zh-CN';
import { AppOutline, PayCircleOutline, TeamOutline, UserOutline } from 'antd-mobile-icons';
import { Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { I18nProvider, useI18n } from '../shared/i18n';
import { memberRoutes, type MemberRoute } from './routes';
import { MemberSessionProvider, useMemberSession } from './session';

function Loading() {
  return (
    <div style={{ padding: 48, textAlign: 'center', color: 'var(--adm-color-weak)' }}>
      <DotLoading color="primary" />
    </div>
  );
}

function Frame({ route, children }: { route: MemberRoute; children: ReactNode }) {
  const { lang, t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const tabs = [
    { key: '/', title: t('首页', 'Home'), icon: <AppOutline /> },
    { key: '/team', title: t('团队', 'Team'), icon: <TeamOutline /> },
    { key: '/earnings', title: t('收益', 'Earnings'), icon: <PayCircleOutline /> },
    { key: '/me', title: t('我的', 'Me'), icon: <UserOutline /> },
  ];
  return (
    <div style={{ display: 'flex', flexDirection: 'column', minHeight: '100vh', background: '#f5f5f5', maxWidth: 640, margin: '0 auto' }}>
      {route.title && !route.tab ? (
        <NavBar onBack={() => (window.history.length > 1 ? navigate(-1) : navigate('/'))} style={{ background: '#fff' }}>
          {lang === 'en' ? route.title.en : route.title.zh}
        </NavBar>
      ) : route.title ? (
        <NavBar back={null} style={{ background: '#fff' }}>
          {lang === 'en' ? route.title.en : route.title.zh}
        </NavBar>
      ) : null}
      <div style={{ flex: 1, overflowX: 'hidden' }}>
        <Suspense fallback={<Loading />}>{children}</Suspense>
      </div>
      {route.tab ? (
        <div style={{ position: 'sticky', bottom: 0, background: '#fff', borderTop: '1px solid #eee' }}>
          <TabBar activeKey={location.pathname} onChange={(key) => navigate(key)} data-testid="tab-bar">
            {tabs.map((tab) => (
              <TabBar.Item key={tab.key} icon={tab.icon} title={tab.title} />
            ))}
          </TabBar>
          <SafeArea position="bottom" />
        </div>
      ) : null}
    </div>
  );
}

function Guarded({ route }: { route: MemberRoute }) {
  const { me, loading } = useMemberSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!route.public && !me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  const Page = route.page;
  return (
    <Frame route={route}>
      <Page />
    </Frame>
  );
}

function Localised() {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN}>
      <MemberSessionProvider>
        <BrowserRouter basename="/m">
          <Routes>
            {memberRoutes.map((r) => (
              <Route key={r.path} path={r.path} element={<Guarded route={r} />} />
            ))}
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </BrowserRouter>
      </MemberSessionProvider>
    </ConfigProvider>
  );
}

export default function App() {
  return (
    <I18nProvider>
      <Localised />
    </I18nProvider>
  );
}
