import { useId } from 'react';
import type { operations } from '../../api/client.ts';
import { NOTIFICATION_TYPES, TYPE_LABELS } from './model.ts';

export type Preferences = operations['getNotificationsPreferences']['responses'][200]['content']['application/json'];
export type PreferencesChange = operations['putNotificationsPreferences']['requestBody']['content']['application/json'];
type TypeChoices = Preferences['types'];

/** The channels of the matrix, as the API names them in each type's row. */
const CHANNELS = [
  { key: 'in_app', label: 'In-app' },
  { key: 'email', label: 'Email' },
] as const;

const SOURCE_NOTES: Record<TypeChoices['support']['email_source'], string> = {
  user: 'your choice',
  tenant: 'your organisation’s default',
  default: 'the default',
};

/** The rows with a change still being saved shown as if saved, so a click shows at once. */
export function withPendingChange(types: TypeChoices, change: PreferencesChange | undefined): TypeChoices {
  if (!change?.types) return types;
  const next = { ...types };
  for (const type of NOTIFICATION_TYPES) {
    const email = change.types[type]?.email;
    if (typeof email === 'boolean') next[type] = { ...next[type], email, email_source: 'user' };
  }
  return next;
}

/**
 * The type × channel matrix: types as rows, channels as columns, each cell a checkbox named
 * "<Channel> for <Type>". Each change is saved at once with just that cell in the body. In-app is
 * always on (the API refuses to switch it off), so its cells are locked, with the reason given.
 */
export function NotificationMatrix({
  types,
  onSave,
  saving,
}: {
  types: TypeChoices;
  onSave: (change: PreferencesChange) => void;
  saving: boolean;
}) {
  const lockedNote = useId();
  return (
    <>
      <div className="table-wrap">
        <table className="table matrix">
          <caption className="visually-hidden">Channels per notification type</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              {CHANNELS.map((channel) => (
                <th scope="col" key={channel.key} className="matrix-cell">
                  {channel.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {NOTIFICATION_TYPES.map((type) => {
              const row = types[type];
              const label = TYPE_LABELS[type];
              return (
                <tr key={type}>
                  <th scope="row">
                    <span className="matrix-type">{label}</span>
                    <span className="muted matrix-source">
                      Email: {SOURCE_NOTES[row.email_source]}
                      {row.email_source === 'user' && (
                        <button
                          type="button"
                          className="btn btn-small btn-ghost"
                          disabled={saving}
                          aria-label={`Use the default email setting for ${label}`}
                          onClick={() => onSave({ types: { [type]: { email: null } } })}
                        >
                          Use the default
                        </button>
                      )}
                    </span>
                  </th>
                  <td className="matrix-cell">
                    <input
                      type="checkbox"
                      aria-label={`In-app for ${label}`}
                      checked={row.in_app}
                      disabled
                      aria-describedby={lockedNote}
                      readOnly
                    />
                  </td>
                  <td className="matrix-cell">
                    <input
                      type="checkbox"
                      aria-label={`Email for ${label}`}
                      checked={row.email}
                      disabled={saving}
                      onChange={(event) => onSave({ types: { [type]: { email: event.target.checked } } })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="field-hint" id={lockedNote}>
        In-app notifications are always on. To silence one thread, use “Mute this thread” on the notifications page.
      </p>
    </>
  );
}
