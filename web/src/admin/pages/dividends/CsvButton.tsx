import { DownloadOutlined } from '@ant-design/icons';
import { App, Button } from 'antd';
import { useState } from 'react';
import { ApiError, errorText } from '../../../shared/api';
import { useT } from '../../../shared/i18n';

/**
 * Downloads a CSV the API makes. Fetched rather than linked so a refusal
 * (expired session, a month with nothing to export) shows as a message
 * instead of a page of JSON.
 */
export function CsvButton({ url, filename, testId, disabled }: { url: string; filename: string; testId?: string; disabled?: boolean }) {
  const t = useT();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const res = await fetch(url, { credentials: 'same-origin' });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
        throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? t(`导出失败 (${res.status})`, `Export failed (${res.status})`));
      }
      const blob = await res.blob();
      const href = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = href;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(href);
      message.success(t('已开始下载', 'Download started'));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={<DownloadOutlined />} loading={busy} disabled={disabled} onClick={() => void download()} data-testid={testId}>
      {t('导出 CSV', 'Export CSV')}
    </Button>
  );
}
