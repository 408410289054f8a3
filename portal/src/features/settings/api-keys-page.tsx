import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, data } from '../../api/client.ts';
import type { operations } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { useSession } from '../../app/session.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { formatDate, formatDateTime, formatRelative } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { ActionError, EmptyState, QueryView } from '../../ui/states.tsx';
import { apiKeyState, expiryFromDate, localDateInput, validateApiKeyForm } from './api-keys.ts';
import type { ApiKeyFormErrors } from './api-keys.ts';
import { grantableApiKeyRoles, roleLabel } from './roles.ts';
import type { ApiKeyRole } from './roles.ts';
import { SecretDialog } from '../../ui/secret-dialog.tsx';
import './settings.css';

type ApiKey = operations['getApiKeys']['responses'][200]['content']['application/json']['api_keys'][number];
type Scope = NonNullable<operations['postApiKeys']['requestBody']>['content']['application/json']['scopes'];

const API_KEYS_QUERY_KEY = ['settings', 'api-keys'] as const;

const STATE_BADGES = {
  active: { label: 'Active', className: 'badge badge-success' },
  expired: { label: 'Expired', className: 'badge badge-warning' },
  revoked: { label: 'Revoked', className: 'badge badge-danger' },
} as const;

export default function ApiKeysPage() {
  const { can } = useSession();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const allowed = can('api_keys:manage');

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let scripts and integrations call the SecureBase API as your organisation."
        actions={
          allowed && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              Create API key
            </button>
          )
        }
      />
      {allowed ? (
        <ApiKeyList />
      ) : (
        <EmptyState title="Only admins manage API keys">
          <p className="muted">Ask an admin or the owner of your organisation to create or revoke a key.</p>
        </EmptyState>
      )}
      {allowed && (
        <CreateApiKeyDialog
          open={creating}
          onOpenChange={setCreating}
          onCreated={(name, key) => {
            setCreating(false);
            setCreated({ name, key });
          }}
        />
      )}
      {created && (
        <SecretDialog
          onClose={() => setCreated(null)}
          title={`API key “${created.name}” created`}
          label="API key"
          secret={created.key}
          explanation="Send it in the Authorization header as “Bearer” followed by the key. SecureBase keeps only a hash of it."
        />
      )}
    </>
  );
}

function ApiKeyList() {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: API_KEYS_QUERY_KEY,
    queryFn: async () => data(await api.GET('/v1/api-keys')).api_keys,
  });
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: async (key: ApiKey) =>
      data(await api.DELETE('/v1/api-keys/{id}', { params: { path: { id: key.id } } })),
    onSettled: () => {
      // A failed revoke closes the dialog too, so its error shows beside the list.
      setRevoking(null);
      void queryClient.invalidateQueries({ queryKey: API_KEYS_QUERY_KEY });
    },
  });
  // Expiry is judged at the time the list was fetched, which a refetch moves on.
  const now = query.dataUpdatedAt;

  return (
    <>
      <QueryView query={query}>
        {(keys) =>
          keys.length === 0 ? (
            <EmptyState title="No API keys yet">
              <p className="muted">Create one for each script or integration, so each can be revoked on its own.</p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">API keys of your organisation, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Role</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {keys.map((key) => {
                    const state = apiKeyState(key, now);
                    return (
                      <tr key={key.id}>
                        <td>{key.name}</td>
                        <td className="settings-nowrap">
                          <code>{key.prefix}</code>
                        </td>
                        <td>{roleLabel(key.role)}</td>
                        <td>
                          {key.scopes.length === 0 ? (
                            <span className="muted">All of the role</span>
                          ) : (
                            key.scopes.join(', ')
                          )}
                        </td>
                        <td className="settings-nowrap">{formatDate(key.created_at)}</td>
                        <td className="settings-nowrap" title={formatDateTime(key.last_used_at)}>
                          {key.last_used_at ? (
                            formatRelative(key.last_used_at, now)
                          ) : (
                            <span className="muted">Never</span>
                          )}
                        </td>
                        <td className="settings-nowrap">
                          {key.expires_at ? formatDate(key.expires_at) : <span className="muted">Never</span>}
                        </td>
                        <td>
                          <span className={STATE_BADGES[state].className}>{STATE_BADGES[state].label}</span>
                          {key.revoked_at && <span className="muted"> {formatDate(key.revoked_at)}</span>}
                        </td>
                        <td>
                          {state !== 'revoked' && (
                            <button
                              type="button"
                              className="btn btn-small btn-danger"
                              aria-label={`Revoke ${key.name}`}
                              onClick={() => {
                                revoke.reset();
                                setRevoking(key);
                              }}
                            >
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryView>
      {revoking && (
        <ConfirmDialog
          open
          onOpenChange={(next) => !next && setRevoking(null)}
          title={`Revoke “${revoking.name}”?`}
          description="Requests with this key fail from the next one on. This cannot be undone."
          confirmLabel="Revoke key"
          pending={revoke.isPending}
          onConfirm={() => revoke.mutate(revoking)}
        />
      )}
      {revoke.error && !revoking && <ActionError error={revoke.error} />}
    </>
  );
}

function CreateApiKeyDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (name: string, key: string) => void;
}) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const roles = grantableApiKeyRoles(me.role);
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiKeyRole>(roles.includes('member') ? 'member' : (roles[0] ?? 'viewer'));
  const [scopes, setScopes] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  // Checked from the first submit on, and again on every change after it, so no message goes stale.
  const [attempted, setAttempted] = useState(false);
  const errors: ApiKeyFormErrors = attempted ? validateApiKeyForm({ name, expires }, new Date()) : {};
  const create = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/v1/api-keys', {
          body: { name: name.trim(), role, scopes: scopes as Scope, expires_at: expiryFromDate(expires) },
        }),
      ),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: API_KEYS_QUERY_KEY });
      setName('');
      setScopes([]);
      setExpires('');
      setAttempted(false);
      onCreated(result.api_key.name, result.key);
    },
  });
  const serverError = (field: string) =>
    create.error instanceof ApiProblem ? create.error.fieldError(field) : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(validateApiKeyForm({ name, expires }, new Date())).length === 0) create.mutate();
  };

  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Create API key" wide>
      <form onSubmit={submit} noValidate>
        <TextField
          label="Name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={errors.name ?? serverError('name')}
          hint="What the key is for, e.g. “CI pipeline”"
          maxLength={100}
          required
        />
        <SelectField
          label="Role"
          value={role}
          onChange={(event) => setRole(event.target.value as ApiKeyRole)}
          error={serverError('role')}
          hint="A key never has more rights than your own role."
        >
          {roles.map((option) => (
            <option key={option} value={option}>
              {roleLabel(option)}
            </option>
          ))}
        </SelectField>
        <fieldset>
          <legend>Scopes</legend>
          <p className="field-hint" id="api-key-scopes-hint">
            Narrow the key to these permissions. Leave all unchecked for every permission of its role.
          </p>
          <div className="settings-scopes" aria-describedby="api-key-scopes-hint">
            {me.permissions.map((permission) => (
              <label key={permission} className="checkbox">
                <input
                  type="checkbox"
                  checked={scopes.includes(permission)}
                  onChange={(event) =>
                    setScopes((current) =>
                      event.target.checked ? [...current, permission] : current.filter((p) => p !== permission),
                    )
                  }
                />
                <code>{permission}</code>
              </label>
            ))}
          </div>
          {serverError('scopes') && <p className="field-error">{serverError('scopes')}</p>}
        </fieldset>
        <TextField
          label="Expires on (optional)"
          type="date"
          value={expires}
          min={localDateInput(new Date())}
          onChange={(event) => setExpires(event.target.value)}
          error={errors.expires ?? serverError('expires_at')}
          hint="The key stops working at the end of this day. Leave empty for no expiry."
        />
        <ActionError error={create.error} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
