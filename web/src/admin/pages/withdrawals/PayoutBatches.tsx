import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Modal, Row, Space, Statistic, Table, Tag, Typography, Upload } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { api, errorText } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { EmptyState, ErrorAlert, Money } from '../../components';
import { downloadFile } from '../../../shared/download';
import { csvDataLines } from './files';
import type { PayoutBatch, ResultLine, Withdrawal } from './model';

/**
 * Bank payouts (finance): approved bank withdrawals go into a transfer batch,
 * its file goes to the bank, and the bank's results file comes back here.
 */
export function PayoutBatches() {
  const t = useT();
  const { modal, message } = App.useApp();
  const { data, error, loading, reload: reloadBatches } = useApi<{ items: PayoutBatch[] }>('/api/admin/payout-batches');
  // What the next batch would take: approved withdrawals paid by bank transfer.
  const waiting = useApi<{ items: Withdrawal[]; nextCursor: string | null }>('/api/admin/withdrawals', { status: 'approved', limit: 200 });
  const queued = (waiting.data?.items ?? []).filter((w) => w.channel === 'bank_batch');
  const queuedTotal = queued.reduce((sum, w) => sum + BigInt(w.netFen), 0n);
  const reload = () => {
    reloadBatches();
    waiting.reload();
  };
  const [downloading, setDownloading] = useState<number | null>(null);
  const [importing, setImporting] = useState<PayoutBatch | null>(null);

  const create = () =>
    modal.confirm({
      title: t('生成新的打款批次？', 'Create a payout batch?'),
      content: t(
        `${queued.length} 笔已批准的银行代付提现（实际到账共 ${formatMoney(queuedTotal)}）将放入新批次并变为“打款中”。生成后请下载打款文件提交银行。`,
        `${queued.length} approved bank withdrawals (net ${formatMoney(queuedTotal)}) go into a new batch and become "paying". Then download the file for the bank.`,
      ),
      okText: t('生成批次', 'Create batch'),
      cancelText: t('取消', 'Cancel'),
      onOk: async () => {
        try {
          const b = await api.post<{ id: number; count: number; totalFen: string }>('/api/admin/payout-batches');
          message.success(t(`批次 #${b.id} 已生成：${b.count} 笔，共 ${formatMoney(b.totalFen)}`, `Batch #${b.id}: ${b.count} withdrawals, ${formatMoney(b.totalFen)}`));
          reload();
        } catch (e) {
          message.error(errorText(e));
        }
      },
    });

  const download = async (b: PayoutBatch) => {
    setDownloading(b.id);
    try {
      await downloadFile(`/api/admin/payout-batches/${b.id}/file.csv`, `payout-batch-${b.id}.csv`);
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setDownloading(null);
    }
  };

  const columns: ColumnsType<PayoutBatch> = [
    { title: t('批次', 'Batch'), dataIndex: 'id', width: 90, render: (id: number) => `#${id}` },
    { title: t('生成时间', 'Created'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
    { title: t('笔数', 'Count'), dataIndex: 'count', align: 'right', width: 90 },
    { title: t('打款总额', 'Total'), dataIndex: 'totalFen', align: 'right', render: (v: string) => <Money fen={v} strong /> },
    {
      title: t('银行结果', 'Bank results'),
      dataIndex: 'resultsImportedAt',
      render: (v: string | null) => (v ? <Tag color="green">{t(`已导入 ${formatDateTime(v)}`, `Imported ${formatDateTime(v)}`)}</Tag> : <Tag color="orange">{t('待导入', 'Awaiting')}</Tag>),
    },
    {
      title: t('操作', 'Actions'),
      key: 'actions',
      width: 260,
      render: (_, b) => (
        <Space>
          <Button size="small" icon={<DownloadOutlined />} loading={downloading === b.id} onClick={() => void download(b)} data-testid="batch-download">
            {t('下载打款文件', 'Bank file')}
          </Button>
          <Button size="small" icon={<UploadOutlined />} onClick={() => setImporting(b)} data-testid="batch-import">
            {t('导入结果', 'Import results')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={t('银行打款批次', 'Bank payout batches')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={create} disabled={!waiting.loading && queued.length === 0} data-testid="batch-create">
          {t('生成打款批次', 'Create batch')}
        </Button>
      }
    >
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={8}>
          <Statistic title={t('待放入批次', 'Waiting for a batch')} value={queued.length} suffix={t('笔', '')} loading={waiting.loading} />
        </Col>
        <Col span={8}>
          <Statistic title={t('待打款金额（实际到账）', 'To pay (net)')} value={formatMoney(queuedTotal)} loading={waiting.loading} />
        </Col>
        <Col span={8}>
          <Statistic title={t('已生成批次', 'Batches')} value={data?.items.length ?? 0} loading={loading} />
        </Col>
      </Row>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        message={t(
          '打款文件包含完整银行账号，每次下载都会记入审计日志，请妥善保管。',
          'The bank file holds full account numbers; every download is recorded in the audit log.',
        )}
      />
      <ErrorAlert error={error} onRetry={reload} />
      <Table<PayoutBatch>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={data?.items ?? []}
        loading={loading}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        data-testid="payout-batches-table"
        locale={{ emptyText: <EmptyState text={t('还没有打款批次', 'No payout batches yet')} /> }}
      />
      {importing ? (
        <ImportResultsModal
          batch={importing}
          onClose={() => setImporting(null)}
          onImported={() => reload()}
        />
      ) : null}
    </Card>
  );
}

const outcomeWords: Record<string, [zh: string, en: string, color: string]> = {
  paid: ['已到账', 'Paid', 'green'],
  failed: ['打款失败', 'Failed', 'red'],
  unchanged: ['无变化', 'Unchanged', 'default'],
  conflict: ['状态冲突', 'Conflict', 'orange'],
  not_in_batch: ['不在本批次', 'Not in batch', 'orange'],
  invalid: ['无效行', 'Invalid line', 'red'],
};

/** Reads the bank's results CSV in the browser and posts it as text/csv. */
function ImportResultsModal({ batch, onClose, onImported }: { batch: PayoutBatch; onClose: () => void; onImported: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [lines, setLines] = useState<ResultLine[] | null>(null);

  const submit = async () => {
    if (!file) return;
    setSaving(true);
    try {
      const r = await api.upload<{ lines: ResultLine[] }>('POST', `/api/admin/payout-batches/${batch.id}/results`, new Blob([file.text], { type: 'text/csv' }));
      setLines(r.lines);
      message.success(t(`已导入 ${r.lines.length} 行结果`, `${r.lines.length} result lines imported`));
      onImported();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      width={720}
      title={t(`导入银行结果 · 批次 #${batch.id}`, `Import bank results · batch #${batch.id}`)}
      onCancel={onClose}
      destroyOnHidden
      footer={
        lines ? (
          <Button type="primary" onClick={onClose}>
            {t('完成', 'Done')}
          </Button>
        ) : (
          <Space>
            <Button onClick={onClose}>{t('取消', 'Cancel')}</Button>
            <Button type="primary" disabled={!file} loading={saving} onClick={() => void submit()} data-testid="batch-import-submit">
              {t('导入', 'Import')}
            </Button>
          </Space>
        )
      }
    >
      {lines ? (
        <Table<ResultLine>
          rowKey="line"
          size="small"
          dataSource={lines}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          columns={[
            { title: t('行号', 'Line'), dataIndex: 'line', width: 70 },
            { title: t('提现编号', 'Withdrawal'), dataIndex: 'withdrawalId', width: 100, render: (v: number | null) => (v === null ? '—' : `#${v}`) },
            { title: t('结果', 'Outcome'), dataIndex: 'outcome', width: 110, render: (v: string) => <Tag color={outcomeWords[v]?.[2] ?? 'blue'}>{outcomeWords[v] ? t(outcomeWords[v][0], outcomeWords[v][1]) : v}</Tag> },
            { title: t('说明', 'Message'), dataIndex: 'message' },
          ]}
        />
      ) : (
        <Space direction="vertical" style={{ width: '100%' }} size={16}>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
            {t('银行回盘文件为 CSV，表头：', 'The bank results file is CSV with the header: ')}
            <Typography.Text code>withdrawal_id,result,bank_reference,message</Typography.Text>
            {t('。同一批次重复导入不会重复记账。', '. Importing the same file twice changes nothing the second time.')}
          </Typography.Paragraph>
          <Upload.Dragger
            accept=".csv,text/csv"
            maxCount={1}
            showUploadList={false}
            beforeUpload={(f) => {
              void f.text().then((text) => setFile({ name: f.name, text }));
              return false;
            }}
            data-testid="batch-import-file"
          >
            <p className="ant-upload-drag-icon">
              <UploadOutlined />
            </p>
            <p className="ant-upload-text">{file ? file.name : t('点击或拖入银行结果 CSV 文件', 'Click or drop the bank results CSV')}</p>
            {file ? <p className="ant-upload-hint">{t(`共 ${csvDataLines(file.text)} 行数据`, `${csvDataLines(file.text)} data lines`)}</p> : null}
          </Upload.Dragger>
        </Space>
      )}
    </Modal>
  );
}
