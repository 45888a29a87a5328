import { Button, Result } from 'antd-mobile';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useT } from '../../shared/i18n';
import { formatMoney } from '../../shared/money';
import { useApi } from '../../shared/use-api';
import { useCheckout, PaymentResult } from './components/payment';
import { PaymentHistory } from './components/PaymentHistory';
import type { OnboardingView } from './components/types';
import { LoadError, PageBody, PageSkeleton, Section } from './components/ui';

/** 缴纳入驻费: the amount, then the checkout; back from it, the order's result. */
export default function PayFeePage() {
  const t = useT();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const orderNo = params.get('order');
  const onboarding = useApi<OnboardingView>(orderNo ? null : '/api/member/onboarding');
  const checkout = useCheckout();

  if (orderNo) {
    return (
      <PageBody testId="page-pay">
        <Section style={{ padding: 0 }}>
          <PaymentResult orderNo={orderNo} doneText={t('完成，返回首页', 'Done — back to home')} onDone={() => navigate('/', { replace: true })} />
        </Section>
      </PageBody>
    );
  }
  if (!onboarding.data) return onboarding.error ? <LoadError error={onboarding.error} onRetry={onboarding.reload} /> : <PageSkeleton rows={2} />;

  const { application: app, entryFeeFen } = onboarding.data;
  const fee = formatMoney(entryFeeFen);
  const payable = app.state === 'approved' || app.state === 'fee_pending';
  return (
    <PageBody testId="page-pay">
      {payable ? (
        <>
          <Section style={{ textAlign: 'center', padding: '28px 16px' }}>
            <div style={{ fontSize: 14, color: 'var(--adm-color-weak)' }}>{t('入驻费', 'Entry fee')}</div>
            <div data-testid="pay-amount" style={{ fontSize: 36, fontWeight: 700, margin: '8px 0', fontVariantNumeric: 'tabular-nums' }}>
              {fee}
            </div>
            <div style={{ fontSize: 13, color: 'var(--adm-color-weak)', lineHeight: 1.6 }}>
              {t('资料已审核通过。支付完成后账号即刻开通，可邀请好友、获得奖励和分润。', 'Your form is approved. Once paid, your account is active: invite friends and earn rewards.')}
            </div>
          </Section>
          <Section title={t('支付方式', 'Payment method')}>
            <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', fontSize: 15 }}>
              <span>{t('模拟支付', 'Sandbox payment')}</span>
              <span style={{ fontSize: 12, color: 'var(--adm-color-warning)' }}>{t('开发演示通道，不产生真实扣款', 'Demo channel, no real money')}</span>
            </div>
          </Section>
          <Button
            block
            color="primary"
            size="large"
            loading={checkout.busy}
            data-testid="pay-submit"
            onClick={() => void checkout.start({ purpose: 'entry_fee' }, '/pay', (p) => navigate(p, { replace: true }))}
          >
            {t(`立即支付 ${fee}`, `Pay ${fee} now`)}
          </Button>
        </>
      ) : app.state === 'active' ? (
        <Section style={{ padding: 0 }}>
          <Result status="success" title={t('入驻费已支付', 'Entry fee paid')} description={t('您的账号已开通', 'Your account is active')} />
          <div style={{ padding: '0 16px 16px' }}>
            <Button block onClick={() => navigate('/')}>
              {t('返回首页', 'Back to home')}
            </Button>
          </div>
        </Section>
      ) : (
        <Section style={{ padding: 0 }}>
          <Result
            status="info"
            title={t('暂不需要缴费', 'Nothing to pay yet')}
            description={
              app.state === 'submitted'
                ? t('资料正在审核，审核通过后即可缴纳入驻费', 'Your form is under review; the fee can be paid once it is approved')
                : t('请先填写入驻资料并通过审核，再缴纳入驻费', 'Fill in the onboarding form and pass the review first')
            }
          />
          <div style={{ padding: '0 16px 16px' }}>
            <Button block color="primary" onClick={() => navigate('/onboarding')} data-testid="pay-to-onboarding">
              {app.state === 'submitted' ? t('查看审核进度', 'View review status') : t('去填写资料', 'Fill in the form')}
            </Button>
          </div>
        </Section>
      )}
      <PaymentHistory purpose="entry_fee" />
    </PageBody>
  );
}
