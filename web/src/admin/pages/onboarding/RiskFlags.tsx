import { SafetyCertificateOutlined, WarningOutlined } from '@ant-design/icons';
import { Descriptions, Empty, List, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { riskColor, riskLabel, stateLabel, type RiskFlag } from './model';

type T = (zh: string, en: string) => string;

const evidenceWords: Record<string, [string, string]> = {
  ip: ['IP 地址', 'IP address'],
  deviceId: ['设备标识', 'Device ID'],
  count: ['注册数', 'Registrations'],
  threshold: ['阈值', 'Threshold'],
  windowMinutes: ['时间窗（分钟）', 'Window (minutes)'],
  licenceNo: ['统一社会信用代码', 'Licence number'],
  idNumber: ['身份证号', 'ID number'],
  field: ['命中字段', 'Field'],
  kind: ['名单类别', 'List kind'],
  value: ['命中值', 'Value'],
  entryId: ['名单条目', 'Entry'],
  reason: ['列入原因', 'Reason listed'],
  listedAt: ['列入时间', 'Listed at'],
};

interface EvidenceMember {
  memberId: number;
  displayName?: string;
  businessName?: string | null;
  state?: string;
  registeredAt?: string;
}

function isMemberList(v: unknown): v is EvidenceMember[] {
  return Array.isArray(v) && v.every((m) => typeof m === 'object' && m !== null && typeof (m as EvidenceMember).memberId === 'number');
}

function evidenceValue(key: string, v: unknown): string {
  if (typeof v === 'string' && /At$/.test(key)) return formatDateTime(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The other members a flag points at (same licence, same IP, …), each a link to its page. */
function RelatedMembers({ members, self, t }: { members: EvidenceMember[]; self?: number; t: T }) {
  return (
    <Space size={[4, 4]} wrap>
      {members.map((m) => (
        <Tag key={m.memberId} color={m.memberId === self ? 'blue' : undefined} style={{ marginInlineEnd: 0 }}>
          <Link to={`/members/${m.memberId}`}>
            {m.displayName ?? m.businessName ?? `#${m.memberId}`}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}> #{m.memberId}</Typography.Text>
          </Link>
          {m.state ? <Typography.Text type="secondary" style={{ fontSize: 12 }}> · {stateLabel(t, m.state)}</Typography.Text> : null}
          {m.memberId === self ? <Typography.Text type="secondary" style={{ fontSize: 12 }}> · {t('本人', 'this member')}</Typography.Text> : null}
        </Tag>
      ))}
    </Space>
  );
}

/** Every risk flag with its reason in words and the evidence behind it. */
export function RiskFlagList({ flags, memberId }: { flags: RiskFlag[]; memberId?: number }) {
  const t = useT();
  if (flags.length === 0) {
    return (
      <Empty
        image={<SafetyCertificateOutlined style={{ fontSize: 40, color: '#52c41a' }} />}
        styles={{ image: { height: 48 } }}
        description={t('未发现风控异常', 'No risk flags')}
      />
    );
  }
  return (
    <List
      data-testid="risk-flags"
      itemLayout="vertical"
      dataSource={flags}
      split
      renderItem={(flag, i) => {
        const entries = Object.entries(flag.evidence).filter(([k]) => k !== 'members');
        const members = flag.evidence.members;
        return (
          <List.Item key={`${flag.code}-${i}`} style={{ paddingInline: 0 }}>
            <Space direction="vertical" size={8} style={{ width: '100%' }}>
              <Space size={8} align="start">
                <WarningOutlined style={{ color: '#fa8c16', marginTop: 4 }} />
                <div>
                  <Tag color={riskColor(flag.code)}>{riskLabel(t, flag.code)}</Tag>
                  <Typography.Text>{flag.message}</Typography.Text>
                </div>
              </Space>
              {entries.length > 0 ? (
                <Descriptions
                  size="small"
                  column={1}
                  colon={false}
                  styles={{ label: { minWidth: 96, whiteSpace: 'nowrap', color: 'rgba(0,0,0,0.45)' } }}
                  items={entries.map(([k, v]) => {
                    const w = evidenceWords[k];
                    return { key: k, label: w ? t(w[0], w[1]) : k, children: <Typography.Text copyable={k === 'ip' || k === 'deviceId'}>{evidenceValue(k, v)}</Typography.Text> };
                  })}
                />
              ) : null}
              {isMemberList(members) && members.length > 0 ? (
                <div>
                  <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 4, fontSize: 12 }}>
                    {t(`相关会员（${members.length}）`, `Related members (${members.length})`)}
                  </Typography.Text>
                  <RelatedMembers members={members} self={memberId} t={t} />
                </div>
              ) : null}
            </Space>
          </List.Item>
        );
      }}
    />
  );
}

/** Compact tags of the risk codes, for tables. */
export function RiskTags({ codes }: { codes: string[] }) {
  const t = useT();
  if (codes.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={[4, 4]} wrap>
      {codes.map((c) => (
        <Tag key={c} color={riskColor(c)} style={{ marginInlineEnd: 0 }}>
          {riskLabel(t, c)}
        </Tag>
      ))}
    </Space>
  );
}
