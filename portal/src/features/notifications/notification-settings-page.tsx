import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../../api/client.ts';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { ActionError, EmptyState, QueryView } from '../../ui/states.tsx';
import { NotificationMatrix, withPendingChange } from './notification-matrix.tsx';
import type { Preferences, PreferencesChange } from './notification-matrix.tsx';
import { threadLabel } from './model.ts';
import { QuietHoursEditor } from './quiet-hours-editor.tsx';
import './notifications.css';

const keys = {
  preferences: ['notification-settings', 'preferences'] as const,
  mutes: ['notification-settings', 'mutes'] as const,
};

export default function NotificationSettingsPage() {
  const queryClient = useQueryClient();
  const preferences = useQuery({
    queryKey: keys.preferences,
    queryFn: async () => data(await api.GET('/v1/notifications/preferences')),
  });
  const saveMatrix = useMutation({
    mutationFn: async (change: PreferencesChange) =>
      data(await api.PUT('/v1/notifications/preferences', { body: change })),
    onSuccess: (saved) => queryClient.setQueryData<Preferences>(keys.preferences, saved),
  });
  const saveQuietHours = useMutation({
    mutationFn: async (quietHours: PreferencesChange['quiet_hours']) =>
      data(await api.PUT('/v1/notifications/preferences', { body: { quiet_hours: quietHours } })),
    onSuccess: (saved) => queryClient.setQueryData<Preferences>(keys.preferences, saved),
  });

  return (
    <>
      <PageHeader
        title="Notification settings"
        description="Choose what reaches you by email, when emails wait, and which threads are muted."
      />
      <QueryView query={preferences} loadingHeight={420}>
        {(current) => (
          <div className="stack">
            <section className="card stack settings-section" aria-labelledby="matrix-heading">
              <h2 id="matrix-heading">What reaches you</h2>
              <NotificationMatrix
                types={withPendingChange(current.types, saveMatrix.isPending ? saveMatrix.variables : undefined)}
                saving={saveMatrix.isPending}
                onSave={(change) => saveMatrix.mutate(change)}
              />
              <div className="settings-result">
                <ActionError error={saveMatrix.error} />
                <p className="muted" role="status">
                  {saveMatrix.isPending ? 'Saving…' : saveMatrix.isSuccess ? 'Saved.' : ''}
                </p>
              </div>
            </section>
            <section className="card stack settings-section" aria-labelledby="quiet-heading">
              <h2 id="quiet-heading">Quiet hours</h2>
              <QuietHoursEditor
                saved={current.quiet_hours}
                saving={saveQuietHours.isPending}
                onSave={(quietHours) => saveQuietHours.mutate(quietHours)}
              />
              <ActionError error={saveQuietHours.error} />
              {saveQuietHours.isSuccess && <p className="muted">Quiet hours saved.</p>}
            </section>
          </div>
        )}
      </QueryView>
      <div className="stack settings-after">
        <TestSend />
        <Mutes />
      </div>
    </>
  );
}

const TEST_CHANNELS = [
  { channel: 'in_app', label: 'Send a test in-app notification' },
  { channel: 'email', label: 'Send a test email' },
] as const;
type TestChannel = (typeof TEST_CHANNELS)[number]['channel'];

/** One button per channel; each shows its own result beside it. */
function TestSend() {
  return (
    <section className="card stack settings-section" aria-labelledby="test-heading">
      <h2 id="test-heading">Send a test</h2>
      <p className="muted">Check that notifications reach you on each channel.</p>
      {TEST_CHANNELS.map(({ channel, label }) => (
        <TestChannelButton key={channel} channel={channel} label={label} />
      ))}
    </section>
  );
}

function TestChannelButton({ channel, label }: { channel: TestChannel; label: string }) {
  const send = useMutation({
    mutationFn: async () => data(await api.POST('/v1/notifications/test', { body: { channel } })),
  });
  return (
    <div className="row test-send">
      <button type="button" className="btn" disabled={send.isPending} onClick={() => send.mutate()}>
        {label}
      </button>
      <span role="status" className="muted">
        {send.isPending
          ? 'Sending…'
          : send.data
            ? send.data.channel === 'email'
              ? `Email queued to ${send.data.to ?? 'your address'}.`
              : 'Sent: it is in your notifications now.'
            : ''}
      </span>
      <ActionError error={send.error} />
    </div>
  );
}

function Mutes() {
  const queryClient = useQueryClient();
  const mutes = useQuery({
    queryKey: keys.mutes,
    queryFn: async () => data(await api.GET('/v1/notifications/mutes')).mutes,
  });
  const unmute = useMutation({
    mutationFn: async (groupKey: string) =>
      data(await api.DELETE('/v1/notifications/mutes/{group_key}', { params: { path: { group_key: groupKey } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.mutes }),
  });
  return (
    <section className="card stack settings-section" aria-labelledby="mutes-heading" id="mutes">
      <h2 id="mutes-heading">Muted threads</h2>
      <QueryView query={mutes}>
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No muted threads">
              <p>Mute a noisy thread from its notification on the notifications page.</p>
            </EmptyState>
          ) : (
            <ul className="mutes">
              {list.map((mute) => (
                <li key={mute.group_key} className="row mute">
                  <span className="mute-name">
                    <strong>{threadLabel(mute.group_key)}</strong>
                    <span className="muted">
                      muted {formatDateTime(mute.created_at)} · <code>{mute.group_key}</code>
                    </span>
                  </span>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={unmute.isPending}
                    aria-label={`Unmute ${threadLabel(mute.group_key)} (${mute.group_key})`}
                    onClick={() => unmute.mutate(mute.group_key)}
                  >
                    Unmute
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
      <ActionError error={unmute.error} />
    </section>
  );
}
