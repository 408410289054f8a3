import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { api, data } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { TextArea } from '../../ui/field.tsx';
import { ActionError } from '../../ui/states.tsx';
import { AttachmentPicker, UploadFailures } from './attachment-picker.tsx';
import { supportKeys, uploadAll } from './support-api.ts';

const COMMENT_MAX = 20_000;

/**
 * The reply box: a public reply (Markdown) with files; staff may tick "Internal note" to write
 * for staff only. Files go up after the comment, attached to it.
 */
export function ReplyBox({
  ticketRef,
  ticketId,
  isStaff,
  hint,
}: {
  ticketRef: string;
  ticketId: string;
  isStaff: boolean;
  hint?: string;
}) {
  const queryClient = useQueryClient();
  const checkboxId = useId();
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const [emptyError, setEmptyError] = useState<string>();
  const [failures, setFailures] = useState<Array<{ file: File; error: unknown }>>([]);

  const send = useMutation({
    mutationFn: async () => {
      const comment = data(
        await api.POST('/v1/support/tickets/{id}/comments', {
          params: { path: { id: ticketId } },
          body: { body, visibility: internal ? 'internal' : 'public' },
        }),
      );
      return uploadAll(ticketId, files, comment.id);
    },
    onSuccess: (failed) => {
      setBody('');
      setFiles([]);
      setInternal(false);
      setFailures(failed);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: supportKeys.ticket(ticketRef) }),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (body.trim() === '') {
      setEmptyError('Write a reply first');
      return;
    }
    setEmptyError(undefined);
    setFailures([]);
    send.mutate();
  };
  const serverFieldError = send.error instanceof ApiProblem ? send.error.fieldError('body') : undefined;

  return (
    <form className={internal ? 'card reply-box reply-internal' : 'card reply-box'} noValidate onSubmit={submit}>
      <h2>{internal ? 'Internal note' : 'Reply'}</h2>
      <TextArea
        label={internal ? 'Note for staff only' : 'Your reply'}
        value={body}
        rows={5}
        maxLength={COMMENT_MAX}
        hint={hint ?? 'Markdown works: **bold**, lists, `code`, links.'}
        error={emptyError ?? serverFieldError}
        onChange={(event) => setBody(event.target.value)}
      />
      {isStaff && (
        <div className="checkbox">
          <input
            id={checkboxId}
            type="checkbox"
            checked={internal}
            onChange={(event) => setInternal(event.target.checked)}
          />
          <label htmlFor={checkboxId}>Internal note (staff only, never shown to the customer)</label>
        </div>
      )}
      <AttachmentPicker files={files} onChange={setFiles} />
      <ActionError error={serverFieldError ? null : send.error} />
      <UploadFailures failures={failures} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : internal ? 'Add internal note' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}
