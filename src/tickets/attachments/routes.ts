import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError, invalidField } from '../../errors/app-error.ts';
import { multipartProblem } from '../../http/multipart.ts';
import { authOf } from '../../identity/authenticate.ts';
import { TicketParams } from '../schemas.ts';
import { contentDisposition } from './content-type.ts';
import { presentAttachment } from './presenter.ts';
import { AttachmentParams, AttachmentView, UploadForm } from './schemas.ts';
import type { AttachmentService, UploadInput } from './service.ts';
import type { AttachmentStore, ReceivedFile } from './store.ts';

const TAGS = ['tickets'];
// Room for the multipart framing and the comment_id field around the file itself.
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** A part that is not one of the form's two fields. */
const unknownPart = (name: string) =>
  invalidField(name || 'body', 'is not a field of this form (send `file` and optionally `comment_id`)');

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `An attachment may be at most ${maxBytes} bytes`, {
    errors: [{ field: 'file', message: `must be at most ${maxBytes} bytes` }],
    extra: { max_bytes: maxBytes },
  });
}

/**
 * Reads the upload form: the file streamed straight into the store (never buffered whole), the
 * comment id from its field, in either order. Whatever fails, nothing received is left behind.
 */
async function readUpload(
  request: FastifyRequest,
  store: AttachmentStore,
  maxBytes: number,
): Promise<Omit<UploadInput, 'file'> & { file: ReceivedFile | undefined }> {
  let file: ReceivedFile | undefined;
  let filename: string | undefined;
  let mimetype = '';
  let commentId: string | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw unknownPart(part.fieldname);
        }
        file = await store.receive(part.file);
        filename = part.filename;
        mimetype = part.mimetype;
      } else if (part.fieldname === 'comment_id') {
        commentId = String(part.value);
      } else {
        throw unknownPart(part.fieldname);
      }
    }
  } catch (error) {
    if (file) await store.discard(file);
    throw multipartProblem(error, () => tooLarge(maxBytes));
  }
  return { file, filename, mimetype, commentId };
}

/**
 * Upload and download of ticket attachments. Multipart parsing is registered for these routes
 * only, so every other route still answers 415 to a multipart body and keeps its JSON body limit.
 */
export function attachmentRoutes(
  attachments: AttachmentService,
  store: AttachmentStore,
  maxBytes: number,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(multipart, {
      limits: { fileSize: maxBytes, files: 1, fields: 4, fieldSize: 1024, parts: 8, headerPairs: 100 },
    });

    app.post(
      '/support/tickets/:id/attachments',
      {
        schema: {
          tags: TAGS,
          summary: 'Attach a file to a ticket or to one of your comments (multipart/form-data)',
          description:
            'The file goes in the form field `file`. Its content type is detected from its bytes and must be on the allow-list (images, PDF, text/CSV/JSON, zip/gzip/tar, Office and OpenDocument files); attachments of an internal note are internal too.',
          consumes: ['multipart/form-data'],
          params: TicketParams,
          body: UploadForm,
          response: { 201: AttachmentView },
        },
        config: { permission: 'tickets:write' },
      },
      async (request, reply) => {
        const auth = authOf(request);
        if (!request.isMultipart()) {
          throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data in the field `file`', {
            errors: [{ field: 'file', message: 'is required, in a multipart/form-data body' }],
          });
        }
        await attachments.checkWritable(auth, request.params.id);
        if (Number(request.headers['content-length'] ?? 0) > maxBytes + FORM_OVERHEAD_BYTES) throw tooLarge(maxBytes);
        const upload = await readUpload(request, store, maxBytes);
        if (!upload.file) throw invalidField('file', 'is required');
        const attachment = await attachments.add(auth, request.params.id, { ...upload, file: upload.file });
        return reply.code(201).send(presentAttachment(attachment));
      },
    );

    app.get(
      '/support/tickets/:id/attachments/:attachment_id',
      {
        schema: {
          tags: TAGS,
          summary: 'Download an attachment (always as a file, never rendered inline)',
          params: AttachmentParams,
          response: {
            200: {
              description: 'The bytes, with the detected content type',
              content: {
                'application/octet-stream': {
                  schema: { type: 'string', format: 'binary', description: 'The file as uploaded' },
                },
              },
            },
          },
        },
        config: { permission: 'tickets:read' },
      },
      async (request, reply) => {
        const { attachment, bytes } = await attachments.download(
          authOf(request),
          request.params.id,
          request.params.attachment_id,
        );
        return (
          reply
            .header('content-type', attachment.content_type)
            .header('content-length', attachment.size_bytes)
            .header('content-disposition', contentDisposition(attachment.filename))
            .header('x-content-type-options', 'nosniff')
            .header('content-security-policy', "default-src 'none'; sandbox")
            .header('cache-control', 'private, no-store')
            // The schema types the body as a binary string; a stream is how Fastify sends one.
            .send(bytes as never)
        );
      },
    );
  };
}
