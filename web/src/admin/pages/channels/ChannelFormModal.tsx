import { DeleteOutlined, KeyOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, type ButtonProps, Card, Col, Divider, Form, Input, Modal, Radio, Row, Space, Switch, Typography } from 'antd';
import type { Rule } from 'antd/es/form';
import { useState } from 'react';
import { api, ApiError, errorText } from '../../../shared/api';
import { useI18n } from '../../../shared/i18n';
import { type Channel, CHANNEL_ID_PATTERN, type ChannelKind, kindWords, randomSecret } from './model';

interface PlatformKeyRow {
  serial: string;
  pem?: string;
}

interface FormValues {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  pushSecret?: string;
  pushSecretOld?: string;
  mchid?: string;
  appid?: string;
  merchantSerial?: string;
  apiBase?: string;
  platformKeys?: PlatformKeyRow[];
  apiV3Key?: string;
  merchantPrivateKeyPem?: string;
  appId?: string;
  sellerId?: string;
  alipayPublicKeyPem?: string;
  gateway?: string;
  appPrivateKeyPem?: string;
}

/** A secret field with a "generate" button; a form control, so the form sees the new value as typed. */
function SecretInput({ value, onChange, generateLabel }: { value?: string; onChange?: (v: string) => void; generateLabel: string }) {
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Input.Password autoComplete="new-password" value={value} onChange={(e) => onChange?.(e.target.value)} data-testid="channel-push-secret" />
      <Button icon={<KeyOutlined />} onClick={() => onChange?.(randomSecret())} data-testid="channel-push-generate">
        {generateLabel}
      </Button>
    </Space.Compact>
  );
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const blank = (v: string | undefined) => !v || !v.trim();

/** The form's starting values: a channel's settings (never its secrets, which the server keeps). */
function initialValues(c: Channel | null): Partial<FormValues> {
  if (!c) return { kind: 'wechatpay', enabled: true, platformKeys: [{ serial: '' }] };
  const keys = Array.isArray(c.config.platformKeys) ? (c.config.platformKeys as Record<string, unknown>[]) : [];
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    enabled: c.enabled,
    mchid: str(c.config.mchid),
    appid: str(c.config.appid),
    merchantSerial: str(c.config.merchantSerial),
    apiBase: str(c.config.apiBase),
    platformKeys: keys.length ? keys.map((k) => ({ serial: str(k.serial) ?? '', pem: str(k.publicKeyPem) ?? str(k.certificatePem) })) : [{ serial: '' }],
    appId: str(c.config.appId),
    sellerId: str(c.config.sellerId),
    alipayPublicKeyPem: str(c.config.alipayPublicKeyPem),
    gateway: str(c.config.gateway),
  };
}

/** Settings and secrets for the API. Empty secret fields mean "keep what is stored". */
function toRequest(v: FormValues, existing: Channel | null) {
  const opt = (s: string | undefined) => (blank(s) ? undefined : s!.trim());
  let config: Record<string, unknown> | undefined;
  const secrets: Record<string, unknown> = {};
  if (v.kind === 'wechatpay') {
    config = {
      ...existing?.config,
      mchid: v.mchid?.trim(),
      appid: v.appid?.trim(),
      merchantSerial: opt(v.merchantSerial),
      apiBase: opt(v.apiBase),
      platformKeys: (v.platformKeys ?? []).map((k) =>
        // A certificate or a bare public key (PUB_KEY_ID_…): the PEM says which.
        k.pem && k.pem.includes('BEGIN CERTIFICATE') ? { serial: k.serial.trim(), certificatePem: k.pem.trim() } : { serial: k.serial.trim(), publicKeyPem: opt(k.pem) },
      ),
    };
    if (!blank(v.apiV3Key)) secrets.apiV3Key = v.apiV3Key!.trim();
    if (!blank(v.merchantPrivateKeyPem)) secrets.merchantPrivateKeyPem = v.merchantPrivateKeyPem!.trim();
  } else if (v.kind === 'alipay') {
    config = { ...existing?.config, appId: v.appId?.trim(), sellerId: v.sellerId?.trim(), alipayPublicKeyPem: v.alipayPublicKeyPem?.trim(), gateway: opt(v.gateway) };
    if (!blank(v.appPrivateKeyPem)) secrets.appPrivateKeyPem = v.appPrivateKeyPem!.trim();
  } else if (v.kind === 'push' && !blank(v.pushSecret)) {
    // Two secrets during a rotation: the new one first; partners may sign with either.
    secrets.pushSecrets = blank(v.pushSecretOld) ? [v.pushSecret!.trim()] : [v.pushSecret!.trim(), v.pushSecretOld!.trim()];
  }
  if (config) for (const k of Object.keys(config)) if (config[k] === undefined) delete config[k];
  return { config, secrets: Object.keys(secrets).length ? secrets : undefined };
}

/** Create a channel, or change one (owner, finance). One form per channel kind. */
export function ChannelFormModal({ channel, onClose, onSaved }: { channel: Channel | null; onClose: () => void; onSaved: (c: Channel) => void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [saving, setSaving] = useState(false);
  const editing = channel !== null;
  const kind = Form.useWatch('kind', form) ?? channel?.kind ?? 'wechatpay';
  const has = (secret: string) => editing && channel.secrets[secret] !== undefined;
  const keepHint = t('已配置；留空则保持不变', 'Set; leave empty to keep it');

  const required = (zh: string, en: string): Rule => ({ required: true, whitespace: true, message: t(zh, en) });
  const len = (min: number, max: number): Rule => ({ min, max, message: t(`长度需为 ${min}-${max} 个字符`, `${min}-${max} characters`) });

  const submit = async () => {
    let v: FormValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    try {
      const { config, secrets } = toRequest({ ...v, kind }, channel);
      const saved = editing
        ? await api.patch<Channel>(`/api/admin/channels/${channel.id}`, { name: v.name.trim(), enabled: v.enabled, config, secrets })
        : await api.post<Channel>('/api/admin/channels', { id: v.id.trim(), kind, name: v.name.trim(), enabled: v.enabled, config: config ?? {}, secrets: secrets ?? {} });
      message.success(editing ? t('通道已保存', 'Channel saved') : t('通道已创建', 'Channel created'));
      onSaved(saved);
      onClose();
    } catch (e) {
      // Field errors from the server (e.g. body.config.mchid) go next to their field.
      const details = e instanceof ApiError && Array.isArray(e.details) ? (e.details as { field?: string; message?: string }[]) : [];
      const fields = details
        .map((d) => ({ name: (d.field ?? '').replace(/^body\.(config|secrets)\./, '').replace(/^body\./, ''), errors: [d.message ?? ''] }))
        .filter((f) => f.name && form.getFieldInstance(f.name as keyof FormValues));
      if (fields.length) form.setFields(fields.map((f) => ({ name: f.name as keyof FormValues, errors: f.errors })));
      message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const pem = (placeholder: string) => <Input.TextArea rows={3} placeholder={placeholder} style={{ fontFamily: 'monospace', fontSize: 12 }} />;

  return (
    <Modal
      open
      width={720}
      title={editing ? t(`编辑通道 · ${channel.name}`, `Edit channel · ${channel.name}`) : t('新增支付通道', 'Add a channel')}
      okText={editing ? t('保存', 'Save') : t('创建', 'Create')}
      cancelText={t('取消', 'Cancel')}
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={saving}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'channel-save' } as ButtonProps}
    >
      <Form form={form} layout="vertical" initialValues={initialValues(channel)} requiredMark data-testid="channel-form" style={{ marginTop: 16 }}>
        {!editing ? (
          <Form.Item name="kind" label={t('通道类型', 'Kind')} rules={[{ required: true, message: t('请选择通道类型', 'Choose a kind') }]}>
            <Radio.Group style={{ width: '100%' }}>
              <Row gutter={[8, 8]}>
                {(Object.keys(kindWords) as ChannelKind[]).map((k) => (
                  <Col span={12} key={k}>
                    <Radio.Button value={k} style={{ width: '100%', height: 'auto', padding: '8px 12px', lineHeight: 1.5 }}>
                      <div style={{ fontWeight: 500 }} data-testid={`channel-kind-${k}`}>
                        {lang === 'en' ? kindWords[k][1] : kindWords[k][0]}
                      </div>
                      <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'normal' }}>
                        {lang === 'en' ? kindWords[k][4] : kindWords[k][3]}
                      </Typography.Text>
                    </Radio.Button>
                  </Col>
                ))}
              </Row>
            </Radio.Group>
          </Form.Item>
        ) : null}
        <Row gutter={16}>
          <Col span={10}>
            <Form.Item
              name="id"
              label={t('通道 ID', 'Channel id')}
              tooltip={t('用于回调地址与对账，创建后不可修改', 'Used in notify URLs and reconciliation; cannot change later')}
              rules={editing ? [] : [required('请填写通道 ID', 'Enter an id'), { pattern: CHANNEL_ID_PATTERN, message: t('2-32 位小写字母、数字、_ 或 -，以字母开头', '2-32 lower-case letters, digits, _ or -, starting with a letter') }]}
            >
              <Input disabled={editing} placeholder="wechat-main" data-testid="channel-id" />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item name="name" label={t('名称', 'Name')} rules={[required('请填写名称', 'Enter a name'), len(1, 60)]}>
              <Input placeholder={t('如：微信支付主商户', 'e.g. WeChat Pay main merchant')} data-testid="channel-name" />
            </Form.Item>
          </Col>
          <Col span={4}>
            <Form.Item name="enabled" label={t('启用', 'Enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>

        {kind === 'wechatpay' ? (
          <>
            <Divider orientation="left" plain>
              {t('商户配置', 'Merchant settings')}
            </Divider>
            <Row gutter={16}>
              <Col span={12}>
                <Form.Item name="mchid" label={t('商户号 mchid', 'Merchant id (mchid)')} rules={[required('请填写商户号', 'Enter the mchid'), { pattern: /^\d{6,32}$/, message: t('6-32 位数字', '6-32 digits') }]}>
                  <Input placeholder="1900000001" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="appid" label="AppID" rules={[required('请填写 AppID', 'Enter the AppID'), len(4, 64)]}>
                  <Input placeholder="wx1234567890abcdef" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="merchantSerial" label={t('商户证书序列号', 'Merchant certificate serial')} rules={[len(4, 100)]}>
                  <Input />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="apiBase" label={t('API 地址（可选）', 'API base (optional)')} rules={[{ type: 'url', message: t('请输入有效的网址', 'Enter a valid URL') }]}>
                  <Input placeholder="https://api.mch.weixin.qq.com" />
                </Form.Item>
              </Col>
            </Row>
            <Typography.Text strong>{t('微信支付平台公钥 / 证书', 'WeChat Pay platform keys / certificates')}</Typography.Text>
            <Form.List
              name="platformKeys"
              rules={[{ validator: async (_, rows?: unknown[]) => (rows && rows.length > 0 ? undefined : Promise.reject(new Error(t('至少添加一个平台公钥', 'Add at least one platform key')))) }]}
            >
              {(fields, { add, remove }, { errors }) => (
                <div style={{ marginTop: 8 }}>
                  {fields.map((f) => (
                    <Card size="small" key={f.key} style={{ marginBottom: 8 }}>
                      <Row gutter={8}>
                        <Col flex="auto">
                          <Form.Item name={[f.name, 'serial']} label={t('序列号 / 公钥 ID', 'Serial / key id')} rules={[required('请填写序列号', 'Enter the serial'), len(4, 100)]}>
                            <Input placeholder="PUB_KEY_ID_0112345678" />
                          </Form.Item>
                        </Col>
                        <Col>
                          <Button type="text" danger icon={<DeleteOutlined />} style={{ marginTop: 30 }} disabled={fields.length <= 1} onClick={() => remove(f.name)} aria-label={t('删除', 'Remove')} />
                        </Col>
                      </Row>
                      <Form.Item name={[f.name, 'pem']} label={t('公钥或证书（PEM）', 'Public key or certificate (PEM)')} style={{ marginBottom: 0 }}>
                        {pem('-----BEGIN PUBLIC KEY-----')}
                      </Form.Item>
                    </Card>
                  ))}
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ serial: '' })} block>
                    {t('添加平台公钥', 'Add a platform key')}
                  </Button>
                  <Form.ErrorList errors={errors} />
                </div>
              )}
            </Form.List>
            <Divider orientation="left" plain>
              {t('密钥（加密保存，保存后不再显示）', 'Secrets (stored encrypted, never shown again)')}
            </Divider>
            <Form.Item
              name="apiV3Key"
              label={t('APIv3 密钥', 'APIv3 key')}
              extra={has('apiV3Key') ? keepHint : undefined}
              rules={[...(has('apiV3Key') ? [] : [required('请填写 APIv3 密钥', 'Enter the APIv3 key')]), { len: 32, message: t('APIv3 密钥为 32 个字符', 'The APIv3 key has 32 characters') }]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Form.Item name="merchantPrivateKeyPem" label={t('商户 API 私钥（PEM）', 'Merchant API private key (PEM)')} extra={has('merchantPrivateKeyPem') ? keepHint : undefined} rules={[len(100, 10_000)]}>
              {pem('-----BEGIN PRIVATE KEY-----')}
            </Form.Item>
          </>
        ) : null}

        {kind === 'alipay' ? (
          <>
            <Divider orientation="left" plain>
              {t('应用配置', 'App settings')}
            </Divider>
            <Row gutter={16}>
              <Col span={12}>
                <Form.Item name="appId" label="AppID" rules={[required('请填写 AppID', 'Enter the AppID'), len(4, 64)]}>
                  <Input placeholder="2021000000000000" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="sellerId" label={t('卖家 ID（PID）', 'Seller id (PID)')} rules={[required('请填写卖家 ID', 'Enter the seller id'), len(4, 64)]}>
                  <Input placeholder="2088000000000000" />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="alipayPublicKeyPem" label={t('支付宝公钥（PEM）', 'Alipay public key (PEM)')} rules={[required('请填写支付宝公钥', 'Enter the Alipay public key'), { min: 100, message: t('公钥内容过短', 'The key is too short') }]}>
              {pem('-----BEGIN PUBLIC KEY-----')}
            </Form.Item>
            <Form.Item name="gateway" label={t('网关地址（可选）', 'Gateway (optional)')} rules={[{ type: 'url', message: t('请输入有效的网址', 'Enter a valid URL') }]}>
              <Input placeholder="https://openapi.alipay.com/gateway.do" />
            </Form.Item>
            <Divider orientation="left" plain>
              {t('密钥（加密保存，保存后不再显示）', 'Secrets (stored encrypted, never shown again)')}
            </Divider>
            <Form.Item name="appPrivateKeyPem" label={t('应用私钥（PEM）', 'App private key (PEM)')} extra={has('appPrivateKeyPem') ? keepHint : undefined} rules={[len(100, 10_000)]}>
              {pem('-----BEGIN PRIVATE KEY-----')}
            </Form.Item>
          </>
        ) : null}

        {kind === 'push' ? (
          <>
            <Divider orientation="left" plain>
              {t('推送签名密钥', 'Push signing secret')}
            </Divider>
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              message={t(
                editing ? '轮换密钥：填写新密钥，并在过渡期内保留旧密钥（两者均被接受）。旧密钥需重新输入，平台不会显示已保存的密钥。' : '密钥保存后不再显示，请先复制给对接方。',
                editing ? 'To rotate: enter the new secret and, for the changeover, the old one (both are accepted). The stored secret is never shown, so type the old one again.' : 'The secret is not shown again once saved: copy it to the partner first.',
              )}
            />
            <Form.Item
              name="pushSecret"
              label={editing ? t('新密钥', 'New secret') : t('签名密钥', 'Secret')}
              extra={has('pushSecrets') ? keepHint : undefined}
              rules={[...(editing ? [] : [required('请填写或生成签名密钥', 'Enter or generate a secret')]), len(16, 200)]}
            >
              <SecretInput generateLabel={t('随机生成', 'Generate')} />
            </Form.Item>
            {editing ? (
              <Form.Item
                name="pushSecretOld"
                label={t('过渡期保留的旧密钥（可选）', 'Old secret kept during the changeover (optional)')}
                dependencies={['pushSecret']}
                rules={[
                  len(16, 200),
                  ({ getFieldValue }) => ({
                    validator: async (_, old?: string) =>
                      blank(old) || !blank(getFieldValue('pushSecret') as string | undefined)
                        ? undefined
                        : Promise.reject(new Error(t('保留旧密钥时需同时填写新密钥', 'Enter the new secret too'))),
                  }),
                ]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
            ) : null}
          </>
        ) : null}

        {kind === 'sandbox' ? (
          <Alert type="warning" showIcon message={t('模拟通道无需配置，不会产生真实资金流动，请勿在生产环境启用。', 'The sandbox needs no settings and moves no real money; do not enable it in production.')} />
        ) : null}
      </Form>
    </Modal>
  );
}
