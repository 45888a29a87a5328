import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { App, DatePicker, Form, Modal, Select, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, errorText, withQuery } from '../../../shared/api';
import { useI18n } from '../../../shared/i18n';
import type { Channel } from '../channels/model';
import { saveBlob } from '../../../shared/download';
import { csvDataLines } from '../withdrawals/files';
import { type Report, STATEMENT_HEADER } from './model';

interface Values {
  channelId: string;
  day: Dayjs;
  file: { name: string; text: string };
}

/** Largest statement the server takes (its body limit is 20 MB of text). */
const MAX_BYTES = 20_000_000;

/** The file as a form control: reads the chosen file as text and hands it to the form. */
function StatementUpload({ value, onChange }: { value?: Values['file']; onChange?: (v: Values['file']) => void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  return (
    <Upload.Dragger
      accept=".csv,text/csv,text/plain"
      maxCount={1}
      showUploadList={false}
      beforeUpload={(f) => {
        if (f.size > MAX_BYTES) {
          message.error(t('文件过大（上限 20 MB）', 'The file is too large (20 MB at most)'));
          return Upload.LIST_IGNORE;
        }
        void f.text().then((text) => onChange?.({ name: f.name, text }));
        return false;
      }}
      data-testid="recon-file"
    >
      <p className="ant-upload-drag-icon">
        <InboxOutlined />
      </p>
      <p className="ant-upload-text">{value ? value.name : t('点击或拖入对账单 CSV 文件', 'Click or drop the statement CSV')}</p>
      <p className="ant-upload-hint">
        {value
          ? t(`共 ${csvDataLines(value.text).toLocaleString()} 行数据`, `${csvDataLines(value.text).toLocaleString(lang)} data lines`)
          : t('导入只生成差异报告，不会修改任何数据', 'Importing only reports; nothing is changed')}
      </p>
    </Upload.Dragger>
  );
}

/**
 * Import a channel's daily statement (owner, finance). The file is read in
 * the browser and sent as text/csv; the import only reports, it changes nothing.
 */
export function ImportModal(props: { channels: Channel[]; defaultChannelId?: string | undefined; onClose: () => void; onImported: (r: Report) => void }) {
  const { channels, defaultChannelId, onClose, onImported } = props;
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);

  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      const path = withQuery(`/api/admin/channels/${encodeURIComponent(v.channelId)}/reconciliations`, { day: v.day.format('YYYY-MM-DD'), fileName: v.file.name.slice(0, 200) });
      const report = await api.upload<Report>('POST', path, new Blob([v.file.text], { type: 'text/csv' }));
      message.success(t('对账单已导入，报告已生成', 'Statement imported; the report is ready'));
      onImported(report);
      onClose();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const template = () =>
    saveBlob(
      new Blob([`\uFEFF${STATEMENT_HEADER}\r\nT20261129000001,M10001,12800,settled,2026-11-29T10:15:00+08:00\r\n`], { type: 'text/csv;charset=utf-8' }),
      'statement-template.csv',
    );

  return (
    <Modal
      open
      width={600}
      title={t('导入通道对账单', 'Import a channel statement')}
      okText={t('导入并对账', 'Import and reconcile')}
      cancelText={t('取消', 'Cancel')}
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ day: dayjs().subtract(1, 'day'), channelId: defaultChannelId ?? channels[0]?.id }} style={{ marginTop: 16 }} data-testid="recon-import-form">
        <Form.Item name="channelId" label={t('通道', 'Channel')} rules={[{ required: true, message: t('请选择通道', 'Choose a channel') }]}>
          <Select
            options={channels.map((c) => ({ value: c.id, label: `${c.name}（${c.id}）` }))}
            placeholder={t('选择通道', 'Choose a channel')}
            notFoundContent={t('还没有通道，请先在“支付通道”中添加', 'No channels yet: add one under Channels')}
            data-testid="recon-channel"
          />
        </Form.Item>
        <Form.Item
          name="day"
          label={t('业务日', 'Business day')}
          tooltip={t('对账单对应的日期（平台时区）', 'The day the statement covers (platform time zone)')}
          rules={[{ required: true, message: t('请选择业务日', 'Choose the day') }]}
        >
          <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} data-testid="recon-day" />
        </Form.Item>
        <Form.Item
          name="file"
          label={t('对账单文件（CSV）', 'Statement file (CSV)')}
          rules={[{ required: true, message: t('请选择对账单文件', 'Choose the statement file') }]}
          extra={
            <span>
              {t('表头：', 'Header: ')}
              <Typography.Text code>{STATEMENT_HEADER}</Typography.Text>
              {t('；金额单位为分，状态为 settled 或 refunded，时间为带时区的 ISO 8601。', '; amounts in fen, status settled or refunded, times ISO 8601 with offset. ')}
              <Typography.Link onClick={template}>
                <DownloadOutlined /> {t('下载模板', 'Template')}
              </Typography.Link>
            </span>
          }
        >
          <StatementUpload />
        </Form.Item>
      </Form>
    </Modal>
  );
}
