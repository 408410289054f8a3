import { formatDateTime } from '../../ui/format.ts';
import { formatPast } from './use-now.ts';
import { Markdown } from '../../ui/markdown.tsx';
import { formatBytes } from './attachments.ts';
import type { Attachment, TicketDetail } from './fields.ts';
import { authorName } from './people.ts';
import type { Viewer } from './people.ts';

/** The conversation: the description as the opening message, then every comment the reader may see. */
export function TicketThread({
  ticket,
  viewer,
  agentNames,
  now,
}: {
  ticket: TicketDetail;
  viewer: Viewer;
  agentNames: ReadonlyMap<string, string>;
  now: number;
}) {
  const openingFiles = ticket.attachments.filter((file) => file.comment_id === null);
  return (
    <section aria-labelledby="thread-heading">
      <h2 id="thread-heading">Conversation</h2>
      <ol className="thread">
        <Message
          author={authorName({ id: ticket.created_by, role: 'customer' }, viewer, agentNames)}
          at={ticket.created_at}
          body={ticket.description}
          files={openingFiles}
          internal={false}
          fromStaff={false}
          now={now}
        />
        {ticket.comments.map((comment) => (
          <Message
            key={comment.id}
            author={authorName({ id: comment.author_id, role: comment.author_role }, viewer, agentNames)}
            at={comment.created_at}
            body={comment.body}
            files={comment.attachments}
            internal={comment.visibility === 'internal'}
            fromStaff={comment.author_role === 'staff'}
            now={now}
            commentId={comment.id}
          />
        ))}
      </ol>
    </section>
  );
}

function Message({
  author,
  at,
  body,
  files,
  internal,
  fromStaff,
  now,
  commentId,
}: {
  author: string;
  at: string;
  body: string;
  files: readonly Attachment[];
  internal: boolean;
  fromStaff: boolean;
  now: number;
  commentId?: string;
}) {
  const classes = ['message', 'card', fromStaff ? 'message-staff' : '', internal ? 'message-internal' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <li className={classes} data-comment-id={commentId}>
      <article aria-label={`${internal ? 'Internal note' : 'Message'} from ${author}`}>
        <header className="message-header">
          <strong>{author}</strong>
          {internal && <span className="badge badge-internal">Internal note</span>}
          <time className="muted" dateTime={at} title={formatDateTime(at)}>
            {formatPast(at, now)}
          </time>
        </header>
        <Markdown source={body} className="markdown message-body" />
        {files.length > 0 && (
          <ul className="file-list message-files" aria-label="Attachments">
            {files.map((file) => (
              <li key={file.id}>
                <a href={file.download_url} download={file.filename}>
                  {file.filename}
                </a>
                <span className="muted">
                  {file.content_type}, {formatBytes(file.size_bytes)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </article>
    </li>
  );
}
