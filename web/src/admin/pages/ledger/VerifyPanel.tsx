import { CheckCircleFilled, CloseCircleFilled, SafetyCertificateOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, List, Result, Row, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, errorText } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useI18n } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import { checkWords, type VerifyReport } from './model';

/** "核对账本": runs GET /api/admin/ledger/verify (read-only) and shows each check and any problem. */
export function VerifyPanel() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [running, setRunning] = useState(false);
  const word = (check: string) => (checkWords[check] ? checkWords[check][lang === 'en' ? 1 : 0] : check);

  const run = async () => {
    setRunning(true);
    try {
      setReport(await api.get<VerifyReport>('/api/admin/ledger/verify'));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setRunning(false);
    }
  };

  const failed = new Set(report?.problems.map((p) => p.check));
  const problemsOf = (check: string) => report?.problems.filter((p) => p.check === check).length ?? 0;
  // Amount columns of a problem are fen; other values are shown as they come.
  const amount = (v: string | undefined) => (v !== undefined && /^-?\d+$/.test(v) ? formatMoney(v) : (v ?? '—'));

  return (
    <Card
      title={t('账本核对', 'Ledger check')}
      extra={
        <Button type="primary" icon={<SafetyCertificateOutlined />} loading={running} onClick={() => void run()} data-testid="ledger-verify">
          {t('核对账本', 'Check the ledger')}
        </Button>
      }
      data-testid="ledger-verify-panel"
    >
      {!report ? (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t(
            '逐项检查：每笔分录借贷平衡、钱包缓存余额与过账明细一致、冻结与提现中余额不为负、冻结批次与冻结余额一致、每笔分录都有业务来源。只读操作，可随时运行。',
            'Checks that every entry balances, cached wallet balances equal their postings, frozen and withdrawing are never negative, frozen lots add up, and every entry names its source. Read-only; safe at any time.',
          )}
        </Typography.Paragraph>
      ) : (
        <div data-testid="ledger-verify-result">
          <Row gutter={24} align="middle">
            <Col xs={24} lg={9}>
              <Result
                style={{ padding: '8px 0' }}
                status={report.ok ? 'success' : 'error'}
                title={report.ok ? t('账本平衡，未发现问题', 'The ledger balances: no problems') : t(`发现 ${report.problems.length} 个问题`, `${report.problems.length} problem(s) found`)}
                subTitle={t(
                  `核对时间 ${formatDateTime(report.checkedAt)} · 分录 ${report.entries.toLocaleString()} 笔 · 过账 ${report.postings.toLocaleString()} 条 · 会员钱包 ${report.wallets.toLocaleString()} 个`,
                  `Checked ${formatDateTime(report.checkedAt)} · ${report.entries.toLocaleString()} entries · ${report.postings.toLocaleString()} postings · ${report.wallets.toLocaleString()} wallets`,
                )}
              />
            </Col>
            <Col xs={24} lg={15}>
              <List
                size="small"
                bordered
                dataSource={Object.keys(checkWords)}
                renderItem={(check) => (
                  <List.Item>
                    <Space>
                      {failed.has(check) ? <CloseCircleFilled style={{ color: '#ff4d4f' }} /> : <CheckCircleFilled style={{ color: '#52c41a' }} />}
                      {word(check)}
                    </Space>
                    <Typography.Text type={failed.has(check) ? 'danger' : 'secondary'}>
                      {failed.has(check) ? t(`${problemsOf(check)} 个问题`, `${problemsOf(check)} problem(s)`) : t('通过', 'Passed')}
                    </Typography.Text>
                  </List.Item>
                )}
              />
            </Col>
          </Row>
          {report.problems.length > 0 ? (
            <Table
              style={{ marginTop: 16 }}
              size="small"
              rowKey={(p) => `${p.check}:${p.account}:${p.detail}`}
              dataSource={report.problems}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              data-testid="ledger-verify-problems"
              columns={[
                { title: t('检查项', 'Check'), dataIndex: 'check', render: (v: string) => word(v) },
                { title: t('账户 / 分录', 'Account / entry'), dataIndex: 'account', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
                { title: t('应为', 'Expected'), dataIndex: 'expected', align: 'right', render: amount },
                { title: t('实际', 'Actual'), dataIndex: 'actual', align: 'right', render: amount },
                { title: t('说明', 'Detail'), dataIndex: 'detail' },
              ]}
            />
          ) : null}
        </div>
      )}
    </Card>
  );
}
