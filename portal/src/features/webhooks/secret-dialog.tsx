import { CopyButton } from '../../ui/copy-button.tsx';
import { Dialog } from '../../ui/dialog.tsx';

/** Shows a signing secret the one time the API returns it. `secret` null: closed. */
export function SecretDialog({
  secret,
  title,
  note,
  onClose,
}: {
  secret: string | null;
  title: string;
  note?: string;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={secret !== null}
      onOpenChange={(open) => !open && onClose()}
      title={title}
      description="Copy the signing secret now and store it with your receiver: you will not see it again."
    >
      <div className="stack">
        <div className="wh-secret">
          <code>{secret}</code>
          {secret && <CopyButton text={secret} label="Copy secret" />}
        </div>
        {note && <p className="muted">{note}</p>}
        <div className="dialog-actions">
          <button type="button" className="btn btn-primary" onClick={onClose}>
            I have stored it
          </button>
        </div>
      </div>
    </Dialog>
  );
}
