import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Tooltip } from 'antd';
import { useState } from 'react';
import { errorText } from '../shared/api';
import { downloadFile } from '../shared/download';
import { useT } from '../shared/i18n';

/**
 * "导出 CSV": downloads a CSV the API makes, with the filters in `url`. A
 * list export (`capped`) says that the server refuses more than 50,000 rows
 * (it answers 400 asking to narrow the filters), which shows as a message.
 */
export function CsvButton({ url, filename, testId, disabled, capped }: { url: string; filename: string; testId?: string; disabled?: boolean; capped?: boolean }) {
  const t = useT();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      await downloadFile(url, filename);
      message.success(t('已开始下载', 'Download started'));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const button = (
    <Button icon={<DownloadOutlined />} loading={busy} disabled={disabled} onClick={() => void download()} data-testid={testId}>
      {t('导出 CSV', 'Export CSV')}
    </Button>
  );
  return capped ? <Tooltip title={t('按当前筛选条件导出，最多 50,000 行', 'Exports the current filters, up to 50,000 rows')}>{button}</Tooltip> : button;
}
