import { ApartmentOutlined } from '@ant-design/icons';
import { App, Button, Col, Empty, Progress, Row, Skeleton, Space, Statistic, Steps, Tag, Tree, Typography } from 'antd';
import { useCallback, useEffect, useState, type Key } from 'react';
import { Link } from 'react-router-dom';
import { api, errorText } from '../../../shared/api';
import { maskPhone } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { statusColor, statusLabel, type AdminMember, type TeamMember, type TeamSummary, type TreeView } from './model';
import { LevelTag, MemberAvatar } from './parts';

const PAGE = 20;

/** The ancestors from the top of the network down to this member, each a link. */
export function UplineChain({ member, tree }: { member: AdminMember; tree: TreeView }) {
  const t = useT();
  const items = [
    ...tree.upline.map((u) => ({
      title: <Link to={`/members/${u.memberId}?tab=network`}>{u.displayName}</Link>,
      description: (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          #{u.memberId} · {u.generationsUp === 1 ? t('直接上级', 'Direct inviter') : t(`第 ${u.generationsUp} 代上级`, `${u.generationsUp} levels up`)}
        </Typography.Text>
      ),
      status: 'finish' as const,
    })),
    {
      title: <Typography.Text strong>{member.displayName}</Typography.Text>,
      description: (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {tree.upline.length === 0 ? t('顶层会员，没有上级', 'Top of the network') : t(`本人 · 第 ${tree.depth} 层`, `This member · depth ${tree.depth}`)}
        </Typography.Text>
      ),
      status: 'process' as const,
    },
  ];
  return <Steps data-testid="upline-chain" direction="vertical" size="small" current={items.length - 1} items={items} />;
}

/** Direct, indirect and per-generation head counts. */
export function TeamStats({ team }: { team: TeamSummary }) {
  const t = useT();
  const max = Math.max(1, ...team.perGeneration.map((g) => g.count));
  return (
    <>
      <Row gutter={8}>
        <Col span={8}><Statistic title={t('直推', 'Direct')} value={team.direct} /></Col>
        <Col span={8}><Statistic title={t('间推', 'Indirect')} value={team.indirect} /></Col>
        <Col span={8}><Statistic title={t('团队总数', 'Team')} value={team.total} /></Col>
      </Row>
      {team.perGeneration.length > 0 ? (
        <div style={{ marginTop: 16 }}>
          {team.perGeneration.map((g) => (
            <div key={g.generation} style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
              <Typography.Text type="secondary" style={{ width: 56, flex: 'none', fontSize: 12 }}>
                {t(`第 ${g.generation} 代`, `Gen ${g.generation}`)}
              </Typography.Text>
              <Progress percent={(g.count / max) * 100} showInfo={false} size="small" status="normal" style={{ margin: 0, flex: 1 }} />
              <Typography.Text style={{ width: 44, textAlign: 'right', flex: 'none', fontVariantNumeric: 'tabular-nums' }}>{g.count}</Typography.Text>
            </div>
          ))}
        </div>
      ) : null}
    </>
  );
}

interface TreeNode {
  key: string;
  isLeaf?: boolean;
  children?: TreeNode[];
  /** A member of the downline, or the "load more" entry after a page of children. */
  member?: TeamMember;
  more?: { parentId: number; cursor: string; shown: number };
}

interface Page {
  items: TeamMember[];
  nextCursor: string | null;
}

const toNodes = (page: Page, parentId: number, shownBefore: number): TreeNode[] => {
  const nodes: TreeNode[] = page.items.map((m) => ({ key: `m:${m.memberId}`, member: m, isLeaf: m.directCount === 0 }));
  if (page.nextCursor !== null) {
    nodes.push({ key: `more:${parentId}:${page.nextCursor}`, isLeaf: true, more: { parentId, cursor: page.nextCursor, shown: shownBefore + page.items.length } });
  }
  return nodes;
};

/** Replaces the children of one node (or, for a "more" entry, the entry itself) anywhere in the tree. */
function patch(list: TreeNode[], key: string, fn: (n: TreeNode) => TreeNode[]): TreeNode[] {
  return list.flatMap((n) => {
    if (n.key === key) return fn(n);
    return n.children ? [{ ...n, children: patch(n.children, key, fn) }] : [n];
  });
}

function NodeTitle({ node, onMore }: { node: TreeNode; onMore: (n: TreeNode) => void }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  if (node.more) {
    return (
      <Button
        type="link"
        size="small"
        loading={busy}
        style={{ padding: 0 }}
        onClick={(e) => {
          e.stopPropagation();
          setBusy(true);
          onMore(node);
        }}
      >
        {t(`加载更多（已显示 ${node.more.shown} 人）`, `Load more (${node.more.shown} shown)`)}
      </Button>
    );
  }
  const m = node.member!;
  return (
    <Space size={8} style={{ padding: '2px 0' }} data-testid={`tree-node-${m.memberId}`}>
      <MemberAvatar name={m.displayName} size={22} />
      <Link to={`/members/${m.memberId}?tab=network`} onClick={(e) => e.stopPropagation()}>
        {m.displayName}
      </Link>
      <Typography.Text type="secondary" style={{ fontVariantNumeric: 'tabular-nums' }}>{maskPhone(m.phone)}</Typography.Text>
      {m.level ? <LevelTag level={m.level} /> : null}
      {m.status !== 'active' ? <Tag color={statusColor(m.status)} style={{ marginInlineEnd: 0 }}>{statusLabel(t, m.status)}</Tag> : null}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {m.directCount > 0 ? t(`直推 ${m.directCount} 人`, `${m.directCount} direct`) : t('暂无下级', 'No downline')}
      </Typography.Text>
    </Space>
  );
}

/**
 * The downline, one generation per expansion: each node asks the API for its
 * direct children when opened, a page at a time, so a network of thousands
 * never loads whole.
 */
export function DownlineTree({ member, tree }: { member: AdminMember; tree: TreeView }) {
  const t = useT();
  const { message } = App.useApp();
  const [nodes, setNodes] = useState<TreeNode[] | null>(null);
  const [expanded, setExpanded] = useState<Key[]>([]);

  const fetchChildren = useCallback(
    (parentId: number, cursor?: string) => api.get<Page>(`/api/admin/members/${parentId}/team`, { generation: 1, limit: PAGE, cursor }),
    [],
  );

  // The member's own children open at once: the first thing anyone wants to see.
  useEffect(() => {
    let live = true;
    setNodes(null);
    fetchChildren(member.id)
      .then((page) => {
        if (!live) return;
        setNodes(toNodes(page, member.id, 0));
        setExpanded([]);
      })
      .catch((e: unknown) => live && message.error(errorText(e)));
    return () => {
      live = false;
    };
  }, [member.id, fetchChildren, message]);

  const loadData = async (node: TreeNode) => {
    if (!node.member || node.children) return;
    const parentId = node.member.memberId;
    try {
      const page = await fetchChildren(parentId);
      setNodes((list) => (list ? patch(list, node.key, (n) => [{ ...n, children: toNodes(page, parentId, 0) }]) : list));
    } catch (e) {
      message.error(errorText(e));
    }
  };

  const loadMore = (node: TreeNode) => {
    const more = node.more!;
    fetchChildren(more.parentId, more.cursor)
      .then((page) => setNodes((list) => (list ? patch(list, node.key, () => toNodes(page, more.parentId, more.shown)) : list)))
      .catch((e: unknown) => message.error(errorText(e)));
  };

  if (tree.team.total === 0) {
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('该会员还没有下级', 'No downline yet')} />;
  }
  return (
    <div data-testid="downline-tree">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
        <ApartmentOutlined /> {t(`${member.displayName} 的直推成员，点击左侧箭头逐层展开`, `Direct members of ${member.displayName}; expand a node to load its own`)}
      </Typography.Paragraph>
      {nodes === null ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : (
        <Tree<TreeNode>
          showLine
          blockNode
          selectable={false}
          treeData={nodes}
          expandedKeys={expanded}
          onExpand={(keys) => setExpanded(keys)}
          loadData={loadData}
          titleRender={(n) => <NodeTitle node={n} onMore={loadMore} />}
        />
      )}
    </div>
  );
}
