import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from '../../testing/server.ts';
import type { ApiResponse } from '../../testing/http.ts';

/** A PNG signature and header: enough for content detection to call it image/png. */
export const PNG_BYTES = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4500000000049454e44ae426082',
  'hex',
);

/** An attachment as tests read it from the API. */
export type AttachmentJson = {
  id: string;
  comment_id: string | null;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  visibility: string;
  download_url: string;
};

/** Uploads `bytes` as a multipart form over real HTTP (field `file` unless told otherwise). */
export async function upload(
  server: TestServer,
  token: string,
  ticketRef: string,
  options: { bytes?: Uint8Array; filename?: string; type?: string; commentId?: string; field?: string } = {},
): Promise<ApiResponse<AttachmentJson>> {
  const form = new FormData();
  if (options.commentId !== undefined) form.append('comment_id', options.commentId);
  form.append(
    options.field ?? 'file',
    new Blob([options.bytes ?? PNG_BYTES], { type: options.type ?? 'image/png' }),
    options.filename ?? 'screen.png',
  );
  const response = await fetch(`${server.baseUrl}/v1/support/tickets/${ticketRef}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as AttachmentJson, text };
}

/** Downloads an attachment by its `download_url`; the body as bytes. */
export async function download(server: TestServer, token: string, url: string) {
  const response = await fetch(server.baseUrl + url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Every file under the server's attachment directory (stored and incoming). */
export function filesOnDisk(server: TestServer): string[] {
  const root = join(server.ctx.config.dataDir, 'attachments');
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}
