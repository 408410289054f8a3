import { CopyButton } from '../../ui/copy-button.tsx';
import { Dialog } from '../../ui/dialog.tsx';

/** A secret shown once (an API key, a setup link), with a copy button and the warning that goes with it. */
export function SecretDialog({
  open,
  onClose,
  title,
  label,
  secret,
  explanation,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  /** What the secret is, as the copy button and the code's label say ("API key"). */
  label: string;
  secret: string;
  explanation: string;
}) {
  return (
    <Dialog open={open} onOpenChange={(next) => !next && onClose()} title={title} description={explanation} wide>
      <p className="settings-warning">Copy it now: you will not see it again.</p>
      <div className="settings-secret">
        <code aria-label={label} data-testid="one-time-secret">
          {secret}
        </code>
        <CopyButton text={secret} label={`Copy ${label}`} />
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
