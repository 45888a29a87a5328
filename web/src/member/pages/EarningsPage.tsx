import { ErrorBlock } from 'antd-mobile';

// TODO(issue 9): replaced by the real page.
export default function EarningsPage() {
  return <ErrorBlock status="empty" title="EarningsPage" />;
}
