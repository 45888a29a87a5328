import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { errorText, withQuery } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { downloadFile } from '../withdrawals/files';

/** The server's cap on one export (the *.csv routes answer 400 above it). */
const MAX_ROWS = '50,000';

/**
 * "导出 CSV" for a list: downloads `path` with the list's current filters.
 * It goes through fetch (downloadFile), so a refusal — too many rows, an
 * ended session — shows as a message instead of a page of JSON.
 */
export function CsvExportButton({ path, query, fileName, testId }: { path: string; query: Record<string, string | number | undefined>; fileName: string; testId: string }) {
  const t = useT();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      await downloadFile(withQuery(path, query), `${fileName}-${dayjs().format('YYYYMMDD-HHmm')}.csv`);
      message.success(t('已导出', 'Exported'));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Tooltip title={t(`按当前筛选条件导出，最多 ${MAX_ROWS} 行`, `Exports the current filters, up to ${MAX_ROWS} rows`)}>
      <Button icon={<DownloadOutlined />} loading={busy} onClick={() => void run()} data-testid={testId}>
        {t('导出 CSV', 'Export CSV')}
      </Button>
    </Tooltip>
  );
}
