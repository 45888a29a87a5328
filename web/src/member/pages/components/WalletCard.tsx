import { Button, Skeleton } from 'antd-mobile';
import { useNavigate } from 'react-router-dom';
import { useT } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import type { Loaded } from '../../../shared/use-api';
import type { Wallet } from './types';
import { LoadError, Stat } from './ui';

/**
 * The balances on a blue card: available (what can be withdrawn) large, then
 * frozen (rewards inside their freeze period), withdrawing and the total.
 */
export function WalletCard({ wallet, showWithdraw = true }: { wallet: Loaded<Wallet>; showWithdraw?: boolean }) {
  const t = useT();
  const navigate = useNavigate();
  const w = wallet.data;
  if (wallet.error && !w) {
    return (
      <div style={{ background: '#fff', borderRadius: 12 }}>
        <LoadError error={wallet.error} onRetry={wallet.reload} />
      </div>
    );
  }
  const total = w ? BigInt(w.availableFen) + BigInt(w.frozenFen) + BigInt(w.withdrawingFen) : null;
  return (
    <div
      data-testid="wallet-card"
      style={{ borderRadius: 12, padding: 16, color: '#fff', background: 'linear-gradient(135deg, #1677ff 0%, #4096ff 60%, #69b1ff 100%)' }}
    >
      <div style={{ display: 'flex', alignItems: 'flex-end', justifyContent: 'space-between', gap: 12 }}>
        <div style={{ minWidth: 0 }}>
          <div style={{ fontSize: 13, opacity: 0.9 }}>{t('可提现余额', 'Available')}</div>
          {w ? (
            <div data-testid="wallet-available" style={{ fontSize: 28, fontWeight: 700, marginTop: 4, fontVariantNumeric: 'tabular-nums', wordBreak: 'break-all' }}>
              {formatMoney(w.availableFen)}
            </div>
          ) : (
            <Skeleton animated style={{ '--width': '140px', '--height': '32px', '--border-radius': '6px', marginTop: 4 }} />
          )}
        </div>
        {showWithdraw ? (
          <Button
            size="small"
            shape="rounded"
            onClick={() => navigate('/withdraw')}
            data-testid="wallet-withdraw"
            style={{ flexShrink: 0, color: '#1677ff', fontWeight: 600, padding: '4px 16px' }}
          >
            {t('提现', 'Withdraw')}
          </Button>
        ) : null}
      </div>
      {w && BigInt(w.debtFen) > 0n ? (
        <div style={{ marginTop: 8, fontSize: 12, background: 'rgba(255,255,255,.2)', borderRadius: 6, padding: '4px 8px' }}>
          {t(`有 ${formatMoney(w.debtFen)} 追回款待从后续收益中抵扣`, `${formatMoney(w.debtFen)} of clawbacks will be repaid from future earnings`)}
        </div>
      ) : null}
      <div style={{ display: 'flex', marginTop: 16, gap: 4 }}>
        <Stat light label={t('冻结中', 'Frozen')} value={w ? formatMoney(w.frozenFen) : '—'} testId="wallet-frozen" />
        <Stat light label={t('提现中', 'Withdrawing')} value={w ? formatMoney(w.withdrawingFen) : '—'} testId="wallet-withdrawing" />
        <Stat light label={t('钱包合计', 'Total')} value={total !== null ? formatMoney(total) : '—'} testId="wallet-total" />
      </div>
    </div>
  );
}
