import { ImageUploader, Toast, type ImageUploadItem } from 'antd-mobile';
import { PictureOutline } from 'antd-mobile-icons';
import { api } from '../../../shared/api';
import { useT } from '../../../shared/i18n';
import { useErrorText } from './errors';
import { fileKindLabel } from './labels';
import type { FileKind } from './types';

const ACCEPTED = ['image/jpeg', 'image/png', 'image/webp'];
/** Photos above this are shrunk on the phone first (the server takes at most 5 MB by default). */
const SHRINK_ABOVE_BYTES = 1_500_000;
const MAX_SIDE = 2000;

export const fileUrl = (fileId: number) => `/api/member/onboarding/files/${fileId}`;

/**
 * Camera photos are often several MB (or HEIC): redraw them as a JPEG of at
 * most 2000 px. If the browser cannot decode the file, it goes as it is and
 * the server says what is wrong with it.
 */
async function shrink(file: File): Promise<Blob> {
  if (ACCEPTED.includes(file.type) && file.size <= SHRINK_ABOVE_BYTES) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.floor(bitmap.width * scale));
    canvas.height = Math.max(1, Math.floor(bitmap.height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob ?? file;
  } catch {
    return file;
  }
}

/** One photo of the application (营业执照, 身份证…): shows the saved one and replaces it on upload. */
export function KindUploader({ kind, value, onChange, disabled, error }: { kind: FileKind; value: ImageUploadItem[]; onChange: (items: ImageUploadItem[]) => void; disabled?: boolean; error?: boolean }) {
  const t = useT();
  const errText = useErrorText();
  const upload = async (file: File): Promise<ImageUploadItem> => {
    try {
      const body = await shrink(file);
      // The route reads the type from the bytes; a file without a type goes as octet-stream.
      const typed = body.type ? body : new Blob([body], { type: 'application/octet-stream' });
      const saved = await api.upload<{ fileId: number }>('PUT', `/api/member/onboarding/files/${kind}`, typed);
      Toast.show({ icon: 'success', content: t('已上传', 'Uploaded') });
      return { key: saved.fileId, url: fileUrl(saved.fileId) };
    } catch (err) {
      Toast.show({ content: errText(err) });
      throw err;
    }
  };
  return (
    <div data-testid={`upload-${kind}`} data-uploaded={value.length > 0} style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 6 }}>
      <ImageUploader
        value={value}
        onChange={onChange}
        upload={upload}
        maxCount={1}
        accept="image/jpeg,image/png,image/webp,image/*"
        disableUpload={disabled}
        deletable={!disabled}
        imageFit="cover"
        style={{ '--cell-size': '140px' }}
      >
        <div
          style={{
            width: 140,
            height: 140,
            borderRadius: 8,
            background: '#f5f5f5',
            border: `1px dashed ${error ? 'var(--adm-color-danger)' : '#d9d9d9'}`,
            display: 'flex',
            flexDirection: 'column',
            alignItems: 'center',
            justifyContent: 'center',
            color: 'var(--adm-color-weak)',
            gap: 6,
          }}
        >
          <PictureOutline fontSize={32} />
          <span style={{ fontSize: 12 }}>{t('点击上传', 'Tap to upload')}</span>
        </div>
      </ImageUploader>
      <div style={{ fontSize: 13, color: error ? 'var(--adm-color-danger)' : undefined }}>{fileKindLabel(t, kind)}</div>
    </div>
  );
}
