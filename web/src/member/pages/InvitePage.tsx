import { ErrorBlock } from 'antd-mobile';

// TODO(issue 9): replaced by the real page.
export default function InvitePage() {
  return <ErrorBlock status="empty" title="InvitePage" />;
}
