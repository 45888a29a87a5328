import { Tabs, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useT } from '../../../shared/i18n';
import { formatMoney, ppmToPercent } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { PayoutBatches } from './PayoutBatches';
import { WithdrawalList } from './WithdrawalList';

interface WithdrawalRules {
  reviewThresholdFen: string;
  feeFixedFen: string;
  feePpm: number;
}

/** 提现审核: the review queue and every withdrawal; bank payout batches for finance. */
export default function WithdrawalsPage() {
  const t = useT();
  const { can } = useStaffSession();
  // The rules are edited in Settings; here they only explain the "large" tag and the fees.
  const rules = useApi<WithdrawalRules>('/api/admin/settings/withdrawals').data;
  const sub = rules ? (
    <>
      {t(
        `${formatMoney(rules.reviewThresholdFen)} 及以上需人工审核 · 手续费 ${ppmToPercent(rules.feePpm)} + ${formatMoney(rules.feeFixedFen)}`,
        `${formatMoney(rules.reviewThresholdFen)} and above need review · fee ${ppmToPercent(rules.feePpm)} + ${formatMoney(rules.feeFixedFen)}`,
      )}
      {can('owner', 'finance') ? ' · ' : null}
      {can('owner', 'finance') ? <Link to="/settings">{t('修改提现规则', 'Change the rules')}</Link> : null}
    </>
  ) : (
    <Typography.Text type="secondary">{t('审核会员的提现申请，跟踪打款结果', 'Review withdrawal requests and follow their payouts')}</Typography.Text>
  );

  return (
    <div data-testid="page-withdrawals">
      <PageTitle title={t('提现审核', 'Withdrawals')} sub={sub} />
      {can('owner', 'finance') ? (
        <Tabs
          defaultActiveKey="list"
          items={[
            { key: 'list', label: t('提现申请', 'Withdrawals'), children: <WithdrawalList /> },
            { key: 'batches', label: t('银行打款批次', 'Bank payout batches'), children: <PayoutBatches /> },
          ]}
        />
      ) : (
        <WithdrawalList />
      )}
    </div>
  );
}
