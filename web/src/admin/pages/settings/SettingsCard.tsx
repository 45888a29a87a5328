import { LockOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Skeleton, Space, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../../../shared/i18n';
import type { Loaded } from '../../../shared/use-api';
import { ErrorAlert } from '../../components';

/**
 * The frame of one settings tab: title and version, loading and error
 * states, the form, and a save button for those who may change it (the
 * others read the same form disabled, with who may change it).
 */
export function SettingsCard(props: {
  title: string;
  description: string;
  loaded: Loaded<unknown>;
  /** What the tag in the corner says: the stored version(s) the form was read from. */
  version: string | null;
  canEdit: boolean;
  editors: string;
  saving: boolean;
  dirty: boolean;
  onSave: () => void;
  children: ReactNode;
  testId: string;
}) {
  const t = useT();
  const { data, error, loading, reload } = props.loaded;
  return (
    <Card
      title={props.title}
      extra={props.version ? <Tag bordered={false}>{props.version}</Tag> : null}
      data-testid={props.testId}
      style={{ maxWidth: 880 }}
    >
      <Typography.Paragraph type="secondary" style={{ marginTop: -4 }}>{props.description}</Typography.Paragraph>
      <ErrorAlert error={error} onRetry={reload} />
      {!props.canEdit ? (
        <Alert type="info" showIcon icon={<LockOutlined />} style={{ marginBottom: 16 }} message={t(`仅${props.editors}可修改这些设置，当前为只读。`, `Only ${props.editors} can change these settings; read-only for you.`)} />
      ) : null}
      {!data && loading ? <Skeleton active paragraph={{ rows: 6 }} /> : data ? props.children : null}
      {data && props.canEdit ? (
        <Space style={{ marginTop: 8 }}>
          <Button type="primary" onClick={props.onSave} loading={props.saving} disabled={!props.dirty} data-testid={`${props.testId}-save`}>
            {t('保存设置', 'Save settings')}
          </Button>
          {props.dirty ? <Typography.Text type="warning">{t('有未保存的修改', 'Unsaved changes')}</Typography.Text> : null}
        </Space>
      ) : null}
    </Card>
  );
}
