import { Button, Dialog, Empty, Form, List, Popup, Skeleton, Steps, Tag, Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { api } from '../../shared/api';
import { formatDateTime } from '../../shared/format';
import { useT } from '../../shared/i18n';
import { fenToYuan, formatMoney, yuanToFen } from '../../shared/money';
import { useApi } from '../../shared/use-api';
import { useErrorText } from './components/errors';
import { FieldInput } from './components/fields';
import { MoreLoader, useInfiniteList } from './components/infinite';
import { withdrawalStatusLabel } from './components/labels';
import { newIdempotencyKey } from './components/request';
import type { OnboardingView, Wallet, Withdrawal, WithdrawalDetail, WithdrawalQuote } from './components/types';
import { LoadError, Money, PageBody, Section } from './components/ui';
import { bankAccountRule, lengthRule } from './components/validators';

interface Values {
  amount: string;
  name: string;
  bank: string;
  account: string;
}

/** Fee and net for the amount being typed, asked of the server a moment after typing stops. */
function useQuote(amountFen: string | null) {
  const [quote, setQuote] = useState<WithdrawalQuote>();
  const [rules, setRules] = useState<WithdrawalQuote>();
  useEffect(() => {
    // The minimum comes with any quote: ask once for ¥1.00 to show it before anything is typed.
    api.get<WithdrawalQuote>('/api/member/withdrawals/quote', { amountFen: '100' }).then(setRules, () => undefined);
  }, []);
  useEffect(() => {
    if (!amountFen || amountFen === '0') {
      setQuote(undefined);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      api.get<WithdrawalQuote>('/api/member/withdrawals/quote', { amountFen }).then(
        (q) => {
          if (!stale) setQuote(q);
        },
        () => undefined,
      );
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [amountFen]);
  return { quote: quote && quote.amountFen === amountFen ? quote : undefined, minAmountFen: (quote ?? rules)?.minAmountFen };
}

function WithdrawalDetailPopup({ id, onClose }: { id: number | null; onClose: () => void }) {
  const t = useT();
  const detail = useApi<WithdrawalDetail>(id === null ? null : `/api/member/withdrawals/${id}`);
  const w = id !== null ? detail.data : undefined;
  return (
    <Popup visible={id !== null} onMaskClick={onClose} onClose={onClose} bodyStyle={{ borderTopLeftRadius: 12, borderTopRightRadius: 12, maxHeight: '80vh', overflowY: 'auto' }}>
      <div data-testid="withdrawal-detail" style={{ padding: 20, minHeight: 200 }}>
        {detail.error ? <LoadError error={detail.error} onRetry={detail.reload} /> : null}
        {!w && !detail.error ? <Skeleton.Paragraph lineCount={6} animated /> : null}
        {w && w.id === id ? (
          <>
            <div style={{ textAlign: 'center' }}>
              <div style={{ fontSize: 14, color: 'var(--adm-color-weak)' }}>{t('提现金额', 'Amount')}</div>
              <Money fen={w.amountFen} style={{ fontSize: 30, fontWeight: 700, display: 'block', margin: '6px 0' }} />
              <Tag color={withdrawalStatusLabel(t, w.status).color}>{withdrawalStatusLabel(t, w.status).text}</Tag>
            </div>
            {w.reason && (w.status === 'rejected' || w.status === 'failed') ? <div style={{ marginTop: 12, padding: 10, borderRadius: 8, background: '#fff1f0', color: 'var(--adm-color-danger)', fontSize: 13 }}>{t(`原因：${w.reason}`, `Reason: ${w.reason}`)}</div> : null}
            <List style={{ marginTop: 8, '--border-top': 'none', '--border-bottom': 'none', '--padding-left': '0', '--padding-right': '0', '--font-size': '14px' }}>
              <List.Item extra={formatMoney(w.feeFen)}>{t('手续费', 'Fee')}</List.Item>
              <List.Item extra={<b>{formatMoney(w.netFen)}</b>}>{t('实际到账', 'You receive')}</List.Item>
              <List.Item extra={<span style={{ wordBreak: 'break-all' }}>{`${w.payee.name} · ${w.payee.bank} ${w.payee.account}`}</span>}>{t('收款账户', 'Payee')}</List.Item>
              <List.Item extra={formatDateTime(w.requestedAt)}>{t('申请时间', 'Requested')}</List.Item>
              {w.simulated ? <List.Item extra={t('模拟打款通道', 'Sandbox payout')}>{t('打款方式', 'Channel')}</List.Item> : null}
            </List>
            {w.events.length > 0 ? (
              <Steps direction="vertical" style={{ '--title-font-size': '14px', '--description-font-size': '12px', padding: 0, marginTop: 8 }}>
                {[...w.events].reverse().map((e, i) => (
                  <Steps.Step
                    key={i}
                    status={i === 0 ? (e.toStatus === 'rejected' || e.toStatus === 'failed' ? 'error' : 'process') : 'finish'}
                    title={withdrawalStatusLabel(t, e.toStatus).text}
                    description={`${formatDateTime(e.at)}${e.reason ? ` · ${e.reason}` : ''}`}
                  />
                ))}
              </Steps>
            ) : null}
          </>
        ) : null}
      </div>
    </Popup>
  );
}

function WithdrawalList({ list, onOpen }: { list: ReturnType<typeof useInfiniteList<Withdrawal>>; onOpen: (id: number) => void }) {
  const t = useT();
  return (
    <>
      {list.loaded && list.items.length === 0 ? <Empty description={t('暂无提现记录', 'No withdrawals yet')} style={{ padding: '16px 0' }} /> : null}
      {list.items.map((w) => {
        const s = withdrawalStatusLabel(t, w.status);
        return (
          <div key={w.id} role="button" onClick={() => onOpen(w.id)} data-testid="withdrawal-row" data-status={w.status} style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '12px 0', borderBottom: '1px solid #f0f0f0', cursor: 'pointer' }}>
            <div style={{ flex: 1, minWidth: 0 }}>
              <Money fen={w.amountFen} style={{ fontSize: 16, fontWeight: 600 }} />
              <div style={{ fontSize: 12, color: 'var(--adm-color-weak)', marginTop: 2, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                {formatDateTime(w.requestedAt)} · {w.payee.bank} {w.payee.account}
              </div>
            </div>
            <Tag color={s.color} fill="outline" style={{ flexShrink: 0 }}>
              {s.text}
            </Tag>
          </div>
        );
      })}
      <MoreLoader loadMore={list.loadMore} hasMore={list.hasMore} count={list.items.length} />
    </>
  );
}

export default function WithdrawPage() {
  const t = useT();
  const errText = useErrorText();
  const wallet = useApi<Wallet>('/api/member/wallet');
  const onboarding = useApi<OnboardingView>('/api/member/onboarding');
  const list = useInfiniteList<Withdrawal>('/api/member/withdrawals', {}, 20);
  const [form] = Form.useForm<Values>();
  const amountText = Form.useWatch('amount', form) as string | undefined;
  const amountFen = amountText ? yuanToFen(amountText) : null;
  const { quote, minAmountFen } = useQuote(amountFen);
  const [key, setKey] = useState(newIdempotencyKey);
  const [submitting, setSubmitting] = useState(false);
  const [openId, setOpenId] = useState<number | null>(null);
  const available = wallet.data ? BigInt(wallet.data.availableFen) : null;

  // The settlement account of the onboarding form is the likely payee (its number is masked, so it is typed).
  const fields = onboarding.data?.application.fields;
  useEffect(() => {
    if (!fields) return;
    const current = form.getFieldsValue();
    form.setFieldsValue({ name: current.name || fields.bankAccountName || '', bank: current.bank || fields.bankName || '' });
  }, [fields, form]);

  const submit = async (v: Values) => {
    const fen = yuanToFen(v.amount)!;
    const q = quote ?? (await api.get<WithdrawalQuote>('/api/member/withdrawals/quote', { amountFen: fen }).catch(() => undefined));
    const payee = { name: v.name.trim(), bank: v.bank.trim(), account: v.account.replace(/\s+/g, '') };
    const ok = await Dialog.confirm({
      title: t('确认提现', 'Confirm withdrawal'),
      content: (
        <div style={{ fontSize: 14, lineHeight: 1.8 }}>
          <div>{t(`提现金额：${formatMoney(fen)}`, `Amount: ${formatMoney(fen)}`)}</div>
          {q ? <div>{t(`手续费：${formatMoney(q.feeFen)}`, `Fee: ${formatMoney(q.feeFen)}`)}</div> : null}
          {q ? <div style={{ fontWeight: 600 }}>{t(`实际到账：${formatMoney(q.netFen)}`, `You receive: ${formatMoney(q.netFen)}`)}</div> : null}
          <div style={{ wordBreak: 'break-all' }}>{t(`收款账户：${payee.name} · ${payee.bank} 尾号 ${payee.account.slice(-4)}`, `To: ${payee.name} · ${payee.bank} ending ${payee.account.slice(-4)}`)}</div>
          {q?.reviewRequired ? <div style={{ color: 'var(--adm-color-warning)' }}>{t('该金额需平台审核后打款', 'This amount is reviewed before payout')}</div> : null}
        </div>
      ),
      confirmText: t('确认提现', 'Withdraw'),
      cancelText: t('取消', 'Cancel'),
    });
    if (!ok) return;
    setSubmitting(true);
    try {
      const w = await api.post<Withdrawal>('/api/member/withdrawals', { amountFen: fen, payee }, { headers: { 'idempotency-key': key } });
      Toast.show({ icon: 'success', content: w.status === 'paid' ? t('提现成功，已打款', 'Withdrawn and paid') : t('提现申请已提交', 'Withdrawal requested') });
      setKey(newIdempotencyKey());
      form.setFieldsValue({ amount: '', account: '' });
      wallet.reload();
      list.reload();
    } catch (err) {
      Toast.show({ content: errText(err) });
    } finally {
      setSubmitting(false);
    }
  };

  const amountRule = {
    validator: async (_: unknown, value: unknown) => {
      const fen = typeof value === 'string' ? yuanToFen(value) : null;
      if (fen === null || BigInt(fen) <= 0n) throw new Error(t('请输入正确的金额，最多两位小数', 'Enter an amount with at most two decimals'));
      if (minAmountFen && BigInt(fen) < BigInt(minAmountFen)) throw new Error(t(`最低提现 ${formatMoney(minAmountFen)}`, `The minimum is ${formatMoney(minAmountFen)}`));
      if (available !== null && BigInt(fen) > available) throw new Error(t(`超出可提现余额 ${formatMoney(available)}`, `More than the available ${formatMoney(available)}`));
    },
  };

  return (
    <PageBody testId="page-withdraw">
      <Section>
        <div style={{ fontSize: 13, color: 'var(--adm-color-weak)' }}>{t('可提现余额', 'Available to withdraw')}</div>
        {wallet.data ? (
          <Money fen={wallet.data.availableFen} style={{ display: 'block', fontSize: 30, fontWeight: 700, marginTop: 4 }} />
        ) : wallet.error ? (
          <LoadError error={wallet.error} onRetry={wallet.reload} />
        ) : (
          <Skeleton animated style={{ '--width': '160px', '--height': '36px', marginTop: 4 }} />
        )}
        {wallet.data ? (
          <div style={{ fontSize: 12, color: 'var(--adm-color-weak)', marginTop: 6 }}>
            {t(`冻结中 ${formatMoney(wallet.data.frozenFen)}（冻结期满后可提现）· 提现中 ${formatMoney(wallet.data.withdrawingFen)}`, `Frozen ${formatMoney(wallet.data.frozenFen)} (withdrawable after the freeze) · withdrawing ${formatMoney(wallet.data.withdrawingFen)}`)}
          </div>
        ) : null}
      </Section>
      <div style={{ margin: '0 -12px' }}>
        <Form
          form={form}
          layout="horizontal"
          mode="card"
          onFinish={submit}
          onValuesChange={(changed: Partial<Values>) => {
            // A changed request is a new request: it must not replay the previous key.
            if (changed.amount !== undefined || changed.account !== undefined) setKey(newIdempotencyKey());
          }}
          footer={
            <Button block type="submit" color="primary" size="large" loading={submitting} disabled={wallet.data ? !wallet.data.canWithdraw : true} data-testid="withdraw-submit">
              {wallet.data && !wallet.data.canWithdraw ? t('暂无可提现余额', 'Nothing to withdraw yet') : t('申请提现', 'Withdraw')}
            </Button>
          }
        >
          <Form.Header>{t('提现金额', 'Amount')}</Form.Header>
          <Form.Item
            name="amount"
            label={t('金额（元）', 'Amount (¥)')}
            rules={[{ required: true, message: t('请输入提现金额', 'Enter an amount') }, amountRule]}
            extra={
              available !== null && available > 0n ? (
                <a onClick={() => form.setFieldsValue({ amount: fenToYuan(available, { grouping: false }) })} data-testid="withdraw-all" style={{ whiteSpace: 'nowrap' }}>
                  {t('全部', 'All')}
                </a>
              ) : null
            }
            description={minAmountFen ? t(`最低提现 ${formatMoney(minAmountFen)}`, `Minimum ${formatMoney(minAmountFen)}`) : undefined}
          >
            <FieldInput testId="withdraw-amount" inputMode="decimal" placeholder={t('0.00', '0.00')} clearable />
          </Form.Item>
          <div data-testid="withdraw-quote" style={{ padding: '8px 16px 12px', fontSize: 13, color: 'var(--adm-color-weak)', minHeight: 20 }}>
            {quote ? (
              <>
                {t('手续费', 'Fee')} <Money fen={quote.feeFen} /> · {t('实际到账', 'You receive')}{' '}
                <Money fen={quote.netFen} style={{ color: 'var(--adm-color-text)', fontWeight: 600 }} />
                {quote.reviewRequired ? <div style={{ color: 'var(--adm-color-warning)' }}>{t('该金额需平台审核后打款', 'This amount is reviewed before payout')}</div> : null}
              </>
            ) : (
              t('输入金额后显示手续费和实际到账金额', 'Type an amount to see the fee and what you receive')
            )}
          </div>
          <Form.Header>{t('收款账户', 'Payee')}</Form.Header>
          <Form.Item name="name" label={t('户名', 'Name')} rules={[{ required: true, message: t('请输入收款人户名', 'Enter the account holder') }, lengthRule(t, 1, 50)]}>
            <FieldInput testId="withdraw-name" placeholder={t('银行卡开户人姓名', 'Account holder')} maxLength={50} clearable />
          </Form.Item>
          <Form.Item name="bank" label={t('开户银行', 'Bank')} rules={[{ required: true, message: t('请输入开户银行', 'Enter the bank') }, lengthRule(t, 2, 60)]}>
            <FieldInput testId="withdraw-bank" placeholder={t('如：中国建设银行杭州分行', 'Bank and branch')} maxLength={60} clearable />
          </Form.Item>
          <Form.Item name="account" label={t('银行卡号', 'Account no.')} rules={[{ required: true, message: t('请输入银行卡号', 'Enter the account number') }, bankAccountRule(t)]}>
            <FieldInput testId="withdraw-account" inputMode="numeric" placeholder={t('8–30 位数字', '8–30 digits')} maxLength={34} clearable />
          </Form.Item>
        </Form>
      </div>
      <Section title={t('提现记录', 'My withdrawals')} testId="withdrawal-list">
        <WithdrawalList list={list} onOpen={setOpenId} />
      </Section>
      <WithdrawalDetailPopup id={openId} onClose={() => setOpenId(null)} />
    </PageBody>
  );
}
