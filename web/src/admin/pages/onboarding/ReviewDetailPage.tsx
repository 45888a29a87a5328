import { ArrowLeftOutlined, CheckOutlined, CloseOutlined, LockOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Descriptions, Empty, Form, Image, Input, Modal, Result, Row, Skeleton, Space, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, errorText } from '../../../shared/api';
import { formatDateTime, maskPhone } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert, PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { actorLabel, fieldOrder, fileKinds, fileLabel, fileUrl, riskLabel, stateColor, stateLabel, type ApplicationDetail } from './model';
import { RiskFlagList } from './RiskFlags';

interface MemberBrief {
  id: number;
  phone: string;
  displayName: string;
  status: string;
  createdAt: string;
  registrationIp: string | null;
  registrationDeviceId: string | null;
}

/** Approve or reject a submitted application; both go back to the queue. */
function Decision({ memberId, detail }: { memberId: number; detail: ApplicationDetail }) {
  const t = useT();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const [rejecting, setRejecting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const flags = detail.riskFlags.length;

  const approve = () =>
    modal.confirm({
      title: t('确认通过该入驻申请？', 'Approve this application?'),
      content: flags
        ? t(`该申请有 ${flags} 项风控标记，请确认已逐项核实。通过后会员即可缴纳入驻费。`, `It has ${flags} risk flag(s); make sure each was checked. The member can then pay the entry fee.`)
        : t('通过后会员即可缴纳入驻费。', 'The member can then pay the entry fee.'),
      okText: t('确认通过', 'Approve'),
      cancelText: t('取消', 'Cancel'),
      okButtonProps: { 'data-testid': 'onboarding-approve-confirm' } as Record<string, string>,
      onOk: async () => {
        try {
          await api.post(`/api/admin/onboarding/${memberId}/approve`, {});
          message.success(t('已通过入驻申请', 'Application approved'));
          void navigate('/onboarding');
        } catch (e) {
          message.error(errorText(e));
        }
      },
    });

  const reject = async () => {
    const { reason } = await form.validateFields();
    setBusy(true);
    try {
      await api.post(`/api/admin/onboarding/${memberId}/reject`, { reason: reason.trim() });
      message.success(t('已驳回入驻申请，会员将看到驳回原因', 'Application rejected; the member will see the reason'));
      setRejecting(false);
      void navigate('/onboarding');
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Space>
        <Button danger icon={<CloseOutlined />} onClick={() => setRejecting(true)} data-testid="onboarding-reject">
          {t('驳回', 'Reject')}
        </Button>
        <Button type="primary" icon={<CheckOutlined />} onClick={approve} data-testid="onboarding-approve">
          {t('通过', 'Approve')}
        </Button>
      </Space>
      <Modal
        open={rejecting}
        title={t('驳回入驻申请', 'Reject the application')}
        okText={t('确认驳回', 'Reject')}
        cancelText={t('取消', 'Cancel')}
        okButtonProps={{ danger: true, loading: busy, ...({ 'data-testid': 'reject-confirm' } as Record<string, string>) }}
        onOk={() => void reject().catch(() => undefined)}
        onCancel={() => setRejecting(false)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">
          {t('驳回原因会展示给会员，请写明需要补充或更正的内容。会员修改后可重新提交。', 'The member reads the reason; say what to fix. They can resubmit afterwards.')}
        </Typography.Paragraph>
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item
            name="reason"
            label={t('驳回原因', 'Reason')}
            rules={[
              { required: true, whitespace: true, message: t('请填写驳回原因', 'Enter a reason') },
              { min: 2, message: t('驳回原因至少 2 个字', 'At least 2 characters') },
              { max: 500, message: t('驳回原因最多 500 字', 'At most 500 characters') },
            ]}
          >
            <Input.TextArea data-testid="reject-reason" rows={4} showCount maxLength={500} placeholder={t('例如：营业执照照片模糊，请重新上传清晰照片', 'e.g. The licence photo is blurred; upload a clear one')} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** The uploaded images; the file route is for reviewers only, so others see a note instead. */
function Evidence({ memberId, detail, canView }: { memberId: number; detail: ApplicationDetail; canView: boolean }) {
  const t = useT();
  if (!canView) {
    return <Alert type="info" showIcon icon={<LockOutlined />} message={t('证件照片仅风控与所有者可查看', 'Only risk staff and owners can view the documents')} />;
  }
  const byKind = new Map(detail.application.files.map((f) => [f.kind, f.fileId]));
  return (
    <Image.PreviewGroup>
      <Row gutter={[16, 16]}>
        {fileKinds.map((kind) => {
          const fileId = byKind.get(kind);
          return (
            <Col key={kind} xs={12} xl={6}>
              <div style={{ border: '1px solid #f0f0f0', borderRadius: 8, padding: 8, textAlign: 'center', background: '#fafafa' }}>
                {fileId ? (
                  <Image
                    data-testid={`onboarding-file-${kind}`}
                    src={fileUrl(memberId, fileId)}
                    alt={fileLabel(t, kind)}
                    height={120}
                    width="100%"
                    style={{ objectFit: 'contain', background: '#fff', borderRadius: 4 }}
                  />
                ) : (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('未上传', 'Not uploaded')} style={{ height: 120, margin: 0, paddingTop: 16 }} />
                )}
                <Typography.Text style={{ display: 'block', marginTop: 8 }}>{fileLabel(t, kind)}</Typography.Text>
              </div>
            </Col>
          );
        })}
      </Row>
    </Image.PreviewGroup>
  );
}

function History({ detail }: { detail: ApplicationDetail }) {
  const t = useT();
  const events = [...detail.history].reverse();
  if (events.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('暂无记录', 'No history')} />;
  return (
    <Timeline
      items={events.map((e, i) => ({
        key: i,
        color: e.toState === 'rejected' ? 'red' : e.toState === 'active' || e.toState === 'approved' ? 'green' : 'blue',
        children: (
          <div>
            <Space size={4} wrap>
              {e.fromState ? <Typography.Text type="secondary">{stateLabel(t, e.fromState)} →</Typography.Text> : null}
              <Typography.Text strong>{stateLabel(t, e.toState)}</Typography.Text>
            </Space>
            <div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatDateTime(e.at)} · {actorLabel(t, e.actorKind, e.actorId)}
              </Typography.Text>
            </div>
            {e.reason ? <Typography.Text style={{ fontSize: 13 }}>{e.reason}</Typography.Text> : null}
          </div>
        ),
      }))}
    />
  );
}

/** Earlier submissions and what was decided on each (a resubmission after a rejection). */
function Revisions({ detail }: { detail: ApplicationDetail }) {
  const t = useT();
  if (detail.revisions.length < 2) return null;
  return (
    <Card title={t('历次提交', 'Submissions')} style={{ marginTop: 16 }}>
      <Timeline
        items={[...detail.revisions].reverse().map((r) => ({
          key: r.revision,
          color: r.decision === 'rejected' ? 'red' : r.decision ? 'green' : 'blue',
          children: (
            <div>
              <Typography.Text strong>{t(`第 ${r.revision} 次提交`, `Submission ${r.revision}`)}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}> · {formatDateTime(r.submittedAt)}</Typography.Text>
              <div>
                {r.decision ? <Tag color={stateColor(r.decision)}>{stateLabel(t, r.decision)}</Tag> : <Tag color="processing">{t('待审核', 'Pending')}</Tag>}
                {r.riskFlags.map((f, i) => (
                  <Tag key={i}>{riskLabel(t, f.code)}</Tag>
                ))}
              </div>
              {r.decisionReason ? <Typography.Text type="secondary" style={{ fontSize: 13 }}>{r.decisionReason}</Typography.Text> : null}
            </div>
          ),
        }))}
      />
    </Card>
  );
}

export default function ReviewDetailPage() {
  const t = useT();
  const navigate = useNavigate();
  const { can } = useStaffSession();
  const memberId = Number(useParams().id);
  const valid = Number.isSafeInteger(memberId) && memberId > 0;
  const loaded = useApi<ApplicationDetail>(valid ? `/api/admin/onboarding/${memberId}` : null);
  const member = useApi<MemberBrief>(valid ? `/api/admin/members/${memberId}` : null);
  const reviewer = can('owner', 'risk');

  const back = (
    <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)}>
      {t('返回', 'Back')}
    </Button>
  );

  if (!valid || (loaded.error instanceof ApiError && loaded.error.status === 404)) {
    return (
      <div data-testid="page-onboarding-detail">
        <Result status="404" title={t('没有找到该入驻申请', 'Application not found')} subTitle={t('该会员尚未填写入驻资料', 'This member has not started an application')} extra={<Link to="/onboarding">{t('返回审核列表', 'Back to the queue')}</Link>} />
      </div>
    );
  }

  const detail = loaded.data;
  const app = detail?.application;
  const fields = app?.fields ?? {};
  const name = fields.businessName ?? member.data?.displayName ?? `#${memberId}`;

  return (
    <div data-testid="page-onboarding-detail">
      <PageTitle
        title={t(`入驻审核 · ${name}`, `Onboarding · ${name}`)}
        sub={
          app ? (
            <Space size={8} style={{ marginTop: 4 }}>
              <Tag color={stateColor(app.state)} data-testid="onboarding-state">{stateLabel(t, app.state)}</Tag>
              {app.revision > 1 ? <Tag>{t(`第 ${app.revision} 次提交`, `Submission ${app.revision}`)}</Tag> : null}
              <span>{t(`提交于 ${formatDateTime(app.submittedAt)}`, `Submitted ${formatDateTime(app.submittedAt)}`)}</span>
            </Space>
          ) : undefined
        }
        extra={
          <>
            {back}
            {app?.state === 'submitted' && reviewer && detail ? <Decision memberId={memberId} detail={detail} /> : null}
          </>
        }
      />
      <ErrorAlert error={loaded.error} onRetry={loaded.reload} />
      {!detail || !app ? (
        loaded.error ? null : <Card><Skeleton active paragraph={{ rows: 10 }} /></Card>
      ) : (
        <>
          {detail.riskFlags.length > 0 ? (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              message={t(`该申请有 ${detail.riskFlags.length} 项风控标记`, `${detail.riskFlags.length} risk flag(s) on this application`)}
              description={detail.riskFlags.map((f) => riskLabel(t, f.code)).join(t('、', ', '))}
            />
          ) : null}
          {app.state === 'rejected' && app.reviewReason ? (
            <Alert type="error" showIcon style={{ marginBottom: 16 }} message={t('驳回原因', 'Rejection reason')} description={app.reviewReason} />
          ) : null}
          {app.state === 'submitted' && !reviewer ? (
            <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('仅风控与所有者可审核入驻申请', 'Only risk staff and owners can decide')} />
          ) : null}
          <Row gutter={16}>
            <Col xs={24} xl={16}>
              <Card title={t('申请资料', 'Application')} extra={app.revealed ? null : <Tag icon={<LockOutlined />}>{t('敏感信息已脱敏', 'Sensitive fields masked')}</Tag>}>
                <Descriptions
                  data-testid="onboarding-fields"
                  bordered
                  size="small"
                  column={{ xs: 1, sm: 1, md: 1, lg: 1, xl: 1, xxl: 2 }}
                  styles={{ label: { width: 160 } }}
                  items={fieldOrder.map((f) => ({
                    key: f.key,
                    label: t(f.zh, f.en),
                    children: fields[f.key] ? (
                      <Typography.Text copyable={f.key !== 'address' && f.key !== 'category'}>{fields[f.key]}</Typography.Text>
                    ) : (
                      <Typography.Text type="secondary">—</Typography.Text>
                    ),
                  }))}
                />
                {app.missing.length > 0 ? (
                  <Alert
                    type="info"
                    showIcon
                    style={{ marginTop: 16 }}
                    message={t('尚未填写完整', 'Incomplete')}
                    description={app.missing.map((m) => fileLabel(t, m)).join(t('、', ', '))}
                  />
                ) : null}
              </Card>
              <Card title={t('风控标记', 'Risk flags')} style={{ marginTop: 16 }}>
                <RiskFlagList flags={detail.riskFlags} memberId={memberId} />
              </Card>
              <Card title={t('证件照片', 'Documents')} style={{ marginTop: 16 }} extra={reviewer ? <Typography.Text type="secondary">{t('点击图片可放大查看', 'Click to enlarge')}</Typography.Text> : null}>
                <Evidence memberId={memberId} detail={detail} canView={reviewer} />
              </Card>
            </Col>
            <Col xs={24} xl={8}>
              <Card title={t('会员', 'Member')} extra={<Link to={`/members/${memberId}`}>{t('会员详情', 'Member details')}</Link>} loading={member.loading && !member.data}>
                {member.data ? (
                  <Descriptions
                    size="small"
                    column={1}
                    items={[
                      { key: 'name', label: t('昵称', 'Name'), children: <Link to={`/members/${memberId}`}>{member.data.displayName}</Link> },
                      { key: 'id', label: t('会员编号', 'Member ID'), children: `#${member.data.id}` },
                      { key: 'phone', label: t('注册手机', 'Phone'), children: maskPhone(member.data.phone) },
                      { key: 'at', label: t('注册时间', 'Registered'), children: formatDateTime(member.data.createdAt) },
                      { key: 'ip', label: t('注册 IP', 'Registration IP'), children: member.data.registrationIp ?? '—' },
                      { key: 'device', label: t('设备标识', 'Device ID'), children: <Typography.Text ellipsis style={{ maxWidth: 180 }}>{member.data.registrationDeviceId ?? '—'}</Typography.Text> },
                    ]}
                  />
                ) : (
                  <ErrorAlert error={member.error} onRetry={member.reload} />
                )}
              </Card>
              <Card title={t('处理记录', 'History')} style={{ marginTop: 16 }}>
                <History detail={detail} />
              </Card>
              <Revisions detail={detail} />
            </Col>
          </Row>
        </>
      )}
    </div>
  );
}
