import { Button, Image, Skeleton, Toast } from 'antd-mobile';
import { DownlandOutline, LinkOutline, SendOutline } from 'antd-mobile-icons';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useT } from '../../shared/i18n';
import { useApi } from '../../shared/use-api';
import { copyText } from './components/clipboard';
import type { Invite } from './components/types';
import { LoadError, PageBody, PageSkeleton, Section } from './components/ui';

const canShare = typeof navigator !== 'undefined' && typeof navigator.share === 'function';

export default function InvitePage() {
  const t = useT();
  const navigate = useNavigate();
  const invite = useApi<Invite>('/api/member/invite');
  const [posterFailed, setPosterFailed] = useState(false);
  const [sharing, setSharing] = useState(false);

  if (!invite.data) return invite.error ? <LoadError error={invite.error} onRetry={invite.reload} /> : <PageSkeleton rows={2} />;
  const { code, link, posterUrl } = invite.data;

  const copy = async (text: string, what: string) => {
    const ok = await copyText(text);
    Toast.show(ok ? { icon: 'success', content: t(`${what}已复制`, `${what} copied`) } : { content: t('复制失败，请长按手动复制', 'Could not copy; long-press to copy') });
  };

  /** A download of the PNG; phones that ignore `download` open it, where long-press saves it. */
  const save = () => {
    const a = document.createElement('a');
    a.href = posterUrl;
    a.download = `shanglian-invite-${code}.png`;
    document.body.appendChild(a);
    a.click();
    a.remove();
  };

  /** The system share sheet, with the poster as a file where the browser allows it, else the link. */
  const share = async () => {
    setSharing(true);
    try {
      const text = t(`邀请您加入商联，邀请码 ${code}`, `Join me on Shanglian — invite code ${code}`);
      const blob = await fetch(posterUrl, { credentials: 'same-origin' }).then((r) => (r.ok ? r.blob() : null)).catch(() => null);
      const file = blob ? new File([blob], `shanglian-invite-${code}.png`, { type: 'image/png' }) : null;
      if (file && navigator.canShare?.({ files: [file] })) await navigator.share({ files: [file], title: t('商联邀请', 'Shanglian invite'), text });
      else await navigator.share({ title: t('商联邀请', 'Shanglian invite'), text, url: link });
    } catch (err) {
      // Closing the share sheet is not an error worth a message.
      if (!(err instanceof DOMException && err.name === 'AbortError')) Toast.show({ content: t('分享失败，请复制链接发送给好友', 'Sharing failed; copy the link instead') });
    } finally {
      setSharing(false);
    }
  };

  return (
    <PageBody testId="page-invite">
      <Section title={t('我的邀请码', 'My invite code')}>
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 12 }}>
          <span data-testid="invite-code" style={{ fontSize: 28, fontWeight: 700, letterSpacing: 3, color: 'var(--adm-color-primary)', fontFamily: 'ui-monospace, Menlo, monospace' }}>
            {code}
          </span>
          <Button size="small" color="primary" fill="outline" onClick={() => void copy(code, t('邀请码', 'Invite code'))} data-testid="invite-copy-code">
            {t('复制', 'Copy')}
          </Button>
        </div>
        <div style={{ marginTop: 12, padding: '8px 12px', borderRadius: 8, background: '#f7f8fa', display: 'flex', alignItems: 'center', gap: 8 }}>
          <LinkOutline style={{ flexShrink: 0, color: 'var(--adm-color-weak)' }} />
          <span data-testid="invite-link" style={{ flex: 1, minWidth: 0, fontSize: 12, color: 'var(--adm-color-text-secondary)', wordBreak: 'break-all' }}>
            {link}
          </span>
          <Button size="mini" color="primary" fill="none" onClick={() => void copy(link, t('邀请链接', 'Invite link'))} data-testid="invite-copy-link" style={{ flexShrink: 0 }}>
            {t('复制链接', 'Copy link')}
          </Button>
        </div>
        <div style={{ fontSize: 12, color: 'var(--adm-color-weak)', marginTop: 10, lineHeight: 1.6 }}>
          {t('好友通过您的链接或邀请码注册，并完成入驻后，您即可获得奖励。', 'When a friend registers with your link or code and completes onboarding, you earn a reward.')}
          <a onClick={() => navigate('/rules')} style={{ color: 'var(--adm-color-primary)' }}>
            {t('查看奖励规则', 'See the rules')}
          </a>
        </div>
      </Section>
      <Section title={t('邀请海报', 'Invite poster')}>
        <div data-testid="invite-poster" style={{ maxWidth: 300, margin: '0 auto', borderRadius: 8, overflow: 'hidden', boxShadow: '0 2px 12px rgba(0,0,0,.12)' }}>
          {posterFailed ? (
            <LoadError error={new Error(t('海报加载失败', 'The poster could not be loaded'))} onRetry={() => setPosterFailed(false)} />
          ) : (
            <Image
              src={posterUrl}
              width="100%"
              fit="contain"
              lazy={false}
              alt={t('邀请海报（含二维码）', 'Invite poster with QR code')}
              placeholder={<Skeleton animated style={{ '--width': '100%', '--height': '480px' }} />}
              onError={() => setPosterFailed(true)}
              style={{ aspectRatio: '750 / 1334' }}
            />
          )}
        </div>
        <div style={{ textAlign: 'center', fontSize: 12, color: 'var(--adm-color-weak)', margin: '10px 0 14px' }}>
          {t('长按海报可保存到相册，好友扫码即可注册', 'Long-press the poster to save it; friends scan the QR code to register')}
        </div>
        <div style={{ display: 'flex', gap: 12 }}>
          <Button block color="primary" fill="outline" style={{ flex: 1 }} onClick={save} data-testid="invite-save">
            <DownlandOutline /> {t('保存海报', 'Save poster')}
          </Button>
          {canShare ? (
            <Button block color="primary" style={{ flex: 1 }} loading={sharing} onClick={() => void share()} data-testid="invite-share">
              <SendOutline /> {t('分享给好友', 'Share')}
            </Button>
          ) : (
            <Button block color="primary" style={{ flex: 1 }} onClick={() => void copy(link, t('邀请链接', 'Invite link'))} data-testid="invite-share">
              <LinkOutline /> {t('复制链接', 'Copy link')}
            </Button>
          )}
        </div>
      </Section>
    </PageBody>
  );
}
