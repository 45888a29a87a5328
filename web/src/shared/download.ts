import { ApiError } from './api';

/**
 * Downloads a file the API serves (CSV exports, payout files) through fetch
 * rather than a plain link, so a refusal or an ended session shows as a
 * message on the page instead of a page of JSON.
 */
export async function downloadFile(path: string, fileName: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试 / Network error');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; requestId?: string } } | null;
    throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? `下载失败 (${res.status})`, undefined, body?.error?.requestId);
  }
  saveBlob(await res.blob(), fileName);
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
