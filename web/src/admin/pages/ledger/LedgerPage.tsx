import { Space } from 'antd';
import { useT } from '../../../shared/i18n';
import { PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { JournalBrowser } from './JournalBrowser';
import { PlatformAccounts } from './PlatformAccounts';
import { VerifyPanel } from './VerifyPanel';

/** 账本: platform balances, the ledger check (owner/finance) and the journal. */
export default function LedgerPage() {
  const t = useT();
  const { can } = useStaffSession();
  return (
    <div data-testid="page-ledger">
      <PageTitle title={t('账本', 'Ledger')} sub={t('复式记账：每笔资金变动都是一笔借贷平衡的分录，只增不改', 'Double entry: every money movement is a balanced entry, appended and never changed')} />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <PlatformAccounts />
        {can('owner', 'finance') ? <VerifyPanel /> : null}
        <JournalBrowser />
      </Space>
    </div>
  );
}
