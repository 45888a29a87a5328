import { App } from 'antd';
import { useState } from 'react';
import { ApiError, errorText } from '../../../shared/api';
import { useT } from '../../../shared/i18n';

/**
 * Saving a settings form: success message and reload; a 409 (someone saved
 * a newer version since this one was read) reloads the latest and says so,
 * so nobody overwrites a change they never saw.
 */
export function useSettingsSave(reload: () => void) {
  const t = useT();
  const { message, modal } = App.useApp();
  const [saving, setSaving] = useState(false);
  const save = async (request: () => Promise<unknown>, done: string) => {
    setSaving(true);
    try {
      await request();
      message.success(done);
      reload();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        modal.warning({
          title: t('设置已被他人修改', 'Someone else changed these settings'),
          content: t('已重新加载最新设置，请确认后再修改。', 'The latest settings were loaded; check them and change again.'),
          okText: t('知道了', 'OK'),
        });
        reload();
      } else message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  return { save, saving };
}
