import { CopyButton } from './copy-button.tsx';
import { Dialog } from './dialog.tsx';

/**
 * A secret the API returns once (an API key, a webhook signing secret, a setup link), with a copy
 * button and the warning that goes with it. Closed while `secret` is null.
 */
export function SecretDialog({
  secret,
  title,
  label,
  explanation,
  note,
  onClose,
}: {
  secret: string | null;
  title: string;
  /** What the secret is, as the copy button and the code's label say ("API key"). */
  label: string;
  explanation: string;
  note?: string | undefined;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={secret !== null}
      onOpenChange={(open) => !open && onClose()}
      title={title}
      description={explanation}
      wide
    >
      <p className="secret-warning">Copy it now: you will not see it again.</p>
      <div className="secret-box">
        <code aria-label={label} data-testid="one-time-secret">
          {secret}
        </code>
        {secret && <CopyButton text={secret} label={`Copy ${label}`} />}
      </div>
      {note && <p className="muted">{note}</p>}
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
