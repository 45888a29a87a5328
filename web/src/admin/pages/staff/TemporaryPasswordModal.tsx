import { CopyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Modal, Space, Typography } from 'antd';
import { useT } from '../../../shared/i18n';

/**
 * Shows a temporary password the server issued, once: it is never stored
 * in the page and cannot be read again, so the owner copies it here and
 * hands it over. The person must replace it at first sign-in.
 */
export function TemporaryPasswordModal({ issued, onClose }: { issued: { username: string; password: string; created: boolean } | null; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const copy = async () => {
    if (!issued) return;
    try {
      await navigator.clipboard.writeText(issued.password);
      message.success(t('已复制到剪贴板', 'Copied to the clipboard'));
    } catch {
      message.warning(t('无法访问剪贴板，请手动选中复制', 'The clipboard is not available; select and copy by hand'));
    }
  };
  return (
    <Modal
      open={issued !== null}
      title={issued?.created ? t('员工账号已创建', 'Staff account created') : t('已重置密码', 'Password reset')}
      onCancel={onClose}
      maskClosable={false}
      footer={<Button type="primary" onClick={onClose} data-testid="temp-password-done">{t('我已保存', 'I have saved it')}</Button>}
      data-testid="temp-password-modal"
    >
      {issued ? (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Alert
            type="warning"
            showIcon
            message={t('临时密码只显示这一次', 'This temporary password is shown only once')}
            description={t(
              `请复制后通过安全渠道交给「${issued.username}」。对方首次登录后必须设置新密码。`,
              `Copy it and hand it to "${issued.username}" over a safe channel. They must set a new password at first sign-in.`,
            )}
          />
          <div style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '12px 16px', background: '#fafafa', border: '1px solid #f0f0f0', borderRadius: 8 }}>
            <div style={{ flex: 1 }}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('用户名', 'Username')}：{issued.username}</Typography.Text>
              <div>
                <Typography.Text strong style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: 20, letterSpacing: 1 }} data-testid="temp-password">
                  {issued.password}
                </Typography.Text>
              </div>
            </div>
            <Button icon={<CopyOutlined />} onClick={() => void copy()} data-testid="temp-password-copy">{t('复制', 'Copy')}</Button>
          </div>
        </Space>
      ) : null}
    </Modal>
  );
}
