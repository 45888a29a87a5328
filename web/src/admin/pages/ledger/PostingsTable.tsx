import { Table, Tooltip, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useI18n } from '../../../shared/i18n';
import { Money } from '../../components';
import { accountWords, type Posting } from './model';

/** The postings of one entry as a journal shows them: debit and credit columns that total the same. */
export function PostingsTable({ postings }: { postings: Posting[] }) {
  const { t, lang } = useI18n();
  const word = (account: string) => (accountWords[account] ? accountWords[account][lang === 'en' ? 1 : 0] : account);
  const debit = postings.reduce((s, p) => s + BigInt(p.debitFen ?? 0), 0n);
  const credit = postings.reduce((s, p) => s + BigInt(p.creditFen ?? 0), 0n);
  return (
    <Table<Posting>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={postings}
      data-testid="postings-table"
      columns={[
        {
          title: t('账户', 'Account'),
          dataIndex: 'account',
          render: (a: string) => (
            <span>
              {word(a)}{' '}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {a}
              </Typography.Text>
            </span>
          ),
        },
        {
          title: t('会员', 'Member'),
          dataIndex: 'member',
          render: (m: Posting['member']) =>
            m ? (
              <Link to={`/members/${m.id}`}>
                {m.displayName}{' '}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {m.phone} · ID {m.id}
                </Typography.Text>
              </Link>
            ) : (
              <Typography.Text type="secondary">{t('平台', 'Platform')}</Typography.Text>
            ),
        },
        { title: <Tooltip title={t('过账金额为正：该账户余额增加', 'Positive posting: the account balance goes up')}>{t('借方', 'Debit')}</Tooltip>, dataIndex: 'debitFen', align: 'right', width: 140, render: (v: string | null) => (v ? <Money fen={v} /> : '') },
        { title: <Tooltip title={t('过账金额为负：该账户余额减少', 'Negative posting: the account balance goes down')}>{t('贷方', 'Credit')}</Tooltip>, dataIndex: 'creditFen', align: 'right', width: 140, render: (v: string | null) => (v ? <Money fen={v} /> : '') },
        {
          title: t('变动后余额', 'Balance after'),
          dataIndex: 'balanceAfterFen',
          align: 'right',
          width: 140,
          render: (v: string | null) => (v === null ? <Typography.Text type="secondary">—</Typography.Text> : <Money fen={v} />),
        },
      ]}
      summary={() => (
        <Table.Summary.Row>
          <Table.Summary.Cell index={0} colSpan={2}>
            <Typography.Text strong>{t('合计', 'Total')}</Typography.Text>
          </Table.Summary.Cell>
          <Table.Summary.Cell index={2} align="right">
            <Money fen={debit} strong />
          </Table.Summary.Cell>
          <Table.Summary.Cell index={3} align="right">
            <Money fen={credit} strong />
          </Table.Summary.Cell>
          <Table.Summary.Cell index={4} />
        </Table.Summary.Row>
      )}
    />
  );
}
