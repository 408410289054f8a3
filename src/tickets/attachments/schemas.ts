import { Type } from 'typebox';
import { NullableString, Timestamp } from '../../http/schema-types.ts';

const Uuid = (description: string) =>
  Type.String({ format: 'uuid', description, examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b'] });

/** An attachment as its reader may see it; the bytes are at `download_url`. */
export const AttachmentView = Type.Object({
  id: Uuid('Attachment id'),
  ticket_id: Uuid('The ticket'),
  comment_id: NullableString('The comment it belongs to, or null for the ticket itself', { examples: [null] }),
  filename: Type.String({ description: 'The name it was uploaded with (path removed)', examples: ['error.png'] }),
  content_type: Type.String({
    description: 'Detected from the bytes, not taken from the uploader',
    examples: ['image/png'],
  }),
  size_bytes: Type.Integer({ description: 'Size in bytes', examples: [48213] }),
  sha256: Type.String({
    description: 'Hex SHA-256 of the bytes',
    examples: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
  }),
  visibility: Type.Enum(['public', 'internal'], {
    description: 'internal when it belongs to an internal note (staff only)',
    examples: ['public'],
  }),
  uploaded_by: Type.String({
    description: 'The user who uploaded it (or the API key id for keys without a user)',
    examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b'],
  }),
  created_at: Timestamp('When it was uploaded'),
  download_url: Type.String({
    description: 'Where to download it (with the same credentials as the ticket)',
    examples: [
      '/v1/support/tickets/0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b/attachments/0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6c',
    ],
  }),
});

/** `{id}` and `{attachment_id}` of the download route. */
export const AttachmentParams = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'Ticket id (UUID), reference (`SB-1042`) or number (`1042`)',
    examples: ['SB-1042'],
  }),
  attachment_id: Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'Attachment id',
    examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6c'],
  }),
});

/**
 * The multipart form of an upload, for the OpenAPI document. It has no `type`, so the validator
 * passes the (unparsed) multipart body through: the handler reads and checks the parts itself.
 */
export const UploadForm = {
  content: {
    'multipart/form-data': {
      schema: {
        description: 'One file in the field `file`; optionally `comment_id` (before or after the file)',
        properties: {
          file: Type.String({
            format: 'binary',
            description: 'The file (its content type is detected from the bytes)',
          }),
          comment_id: Uuid('A comment of yours on this ticket to attach the file to'),
        },
        required: ['file'],
      },
    },
  },
};
