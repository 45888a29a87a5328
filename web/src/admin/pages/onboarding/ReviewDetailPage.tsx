import { Result } from 'antd';

// TODO(issue 9): replaced by the real page.
export default function ReviewDetailPage() {
  return <Result status="info" title="ReviewDetailPage" />;
}
