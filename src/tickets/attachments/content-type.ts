/**
 * Which files a ticket accepts, decided from their bytes, never from the name or type the client
 * sends. Binary formats are recognised by their signature (`file-type`); the allow-list keeps
 * what support conversations need (screenshots, PDFs, logs and exports, archives, office
 * documents) and leaves out anything executable or active: programs, scripts detected as such,
 * SVG and HTML (script in a browser), macro-enabled or legacy OLE office files (macros; the OLE
 * container also holds installers). Plain text has no signature: a file with no recognised
 * signature is accepted only when all of it is valid UTF-8 without control characters (tabs,
 * line breaks and form feeds aside), and is then stored as text/plain, or as text/csv or
 * application/json when the client's name or type says so — labels that change nothing about
 * how the bytes are served (always as a download, never sniffed).
 */

/** Binary types accepted as detected by their signature. */
export const ALLOWED_BINARY_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
  'image/tiff',
  'image/heic',
  'image/avif',
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/x-tar',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
]);

/** What was learnt from the bytes. */
export interface SniffedFile {
  /** The type `file-type` recognised from the signature, if any. */
  detected: string | undefined;
  /** Every byte was UTF-8 text without control characters. */
  isText: boolean;
}

/** What the client claimed (only used to label text, never to accept a file). */
export interface ClaimedFile {
  filename: string;
  mimetype: string;
}

/** The stored content type, or a reason the file is refused. */
export type ContentTypeDecision = { accepted: true; contentType: string } | { accepted: false; reason: string };

/** Decides a file's stored content type from what its bytes showed. */
export function decideContentType(sniffed: SniffedFile, claimed: ClaimedFile): ContentTypeDecision {
  if (sniffed.detected !== undefined) {
    return ALLOWED_BINARY_TYPES.has(sniffed.detected)
      ? { accepted: true, contentType: sniffed.detected }
      : { accepted: false, reason: `files of type ${sniffed.detected} are not accepted` };
  }
  if (!sniffed.isText) return { accepted: false, reason: 'the file type is not recognised and it is not UTF-8 text' };
  const name = claimed.filename.toLowerCase();
  const mimetype = claimed.mimetype.toLowerCase();
  if (name.endsWith('.csv') || mimetype === 'text/csv')
    return { accepted: true, contentType: 'text/csv; charset=utf-8' };
  if (name.endsWith('.json') || mimetype === 'application/json')
    return { accepted: true, contentType: 'application/json' };
  return { accepted: true, contentType: 'text/plain; charset=utf-8' };
}

/**
 * Checks streamed bytes for being UTF-8 text, chunk by chunk (a character may straddle chunks),
 * so the whole file never has to be in memory.
 */
export class TextSniffer {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private text = true;

  push(chunk: Uint8Array): void {
    if (!this.text) return;
    try {
      this.check(this.decoder.decode(chunk, { stream: true }));
    } catch {
      this.text = false;
    }
  }

  /** True when every byte pushed was text. */
  finish(): boolean {
    if (!this.text) return false;
    try {
      this.check(this.decoder.decode());
    } catch {
      this.text = false;
    }
    return this.text;
  }

  private check(decoded: string): void {
    // Control characters other than tab, line feed, form feed and carriage return mark binary data.
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(decoded)) this.text = false;
  }
}

/**
 * The client's file name made safe to show and to put in a Content-Disposition header: the last
 * path segment, without control characters, at most 200 characters; `attachment` when nothing is left.
 */
export function cleanFilename(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const cleaned = [...base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim()].slice(0, 200).join('');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'attachment' : cleaned;
}

/** `Content-Disposition: attachment` with an ASCII fallback name and the exact name in RFC 5987 form. */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  // encodeURIComponent leaves ' ( ) * as they are; RFC 5987 wants them encoded.
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
