import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Row, Skeleton, Statistic, Tag, Tooltip, Typography } from 'antd';
import { useI18n } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert } from '../../components';
import { accountHints, accountWords } from './model';

/**
 * Balances of the platform accounts. The ledger stores signed amounts
 * (positive = debit); an account whose postings sum below zero has a credit
 * balance, which is how income accounts normally stand, so the cards show
 * the size and its side rather than a red minus.
 */
export function PlatformAccounts() {
  const { t, lang } = useI18n();
  const { data, error, loading, reload } = useApi<{ items: { account: string; balanceFen: string }[] }>('/api/admin/ledger/platform-accounts');
  const word = (account: string) => (accountWords[account] ? accountWords[account][lang === 'en' ? 1 : 0] : account);
  const hint = (account: string) => (accountHints[account] ? accountHints[account][lang === 'en' ? 1 : 0] : '');

  return (
    <Card
      title={t('平台账户余额', 'Platform accounts')}
      extra={
        <Button type="text" icon={<ReloadOutlined />} onClick={reload} loading={loading}>
          {t('刷新', 'Refresh')}
        </Button>
      }
      data-testid="platform-accounts"
    >
      <ErrorAlert error={error} onRetry={reload} />
      {!data && loading ? <Skeleton active paragraph={{ rows: 3 }} /> : null}
      <Row gutter={[16, 16]}>
        {(data?.items ?? []).map((a) => {
          const fen = BigInt(a.balanceFen);
          const side = fen > 0n ? 'debit' : fen < 0n ? 'credit' : null;
          return (
            <Col key={a.account} xs={24} sm={12} lg={8} xl={6}>
              <Card size="small" style={{ height: '100%', background: '#fafafa' }}>
                <Statistic
                  title={
                    <Tooltip title={hint(a.account)}>
                      <span>{word(a.account)}</span>
                    </Tooltip>
                  }
                  value={formatMoney(fen < 0n ? -fen : fen)}
                  valueStyle={{ fontSize: 22, fontVariantNumeric: 'tabular-nums' }}
                  suffix={side ? <Tag color={side === 'debit' ? 'blue' : 'green'}>{side === 'debit' ? t('借', 'Dr') : t('贷', 'Cr')}</Tag> : null}
                />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  <Typography.Text code style={{ fontSize: 12 }}>
                    {a.account}
                  </Typography.Text>
                </Typography.Text>
              </Card>
            </Col>
          );
        })}
      </Row>
    </Card>
  );
}
