const UNITS = ['bytes', 'KB', 'MB', 'GB'] as const;

/** "512 bytes", "48.2 KB", "3 MB": sizes of attachments in powers of 1024. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Router state the create page hands the ticket page: files the server refused, with its reasons. */
export interface UploadNotice {
  failed: Array<{ name: string; reason: string }>;
}

/** The notice in a location's state, if that is what it holds. */
export function uploadNoticeOf(state: unknown): UploadNotice | null {
  if (typeof state !== 'object' || state === null || !('failed' in state) || !Array.isArray(state.failed)) return null;
  return state.failed.length > 0 ? (state as UploadNotice) : null;
}
