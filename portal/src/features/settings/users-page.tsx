import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, data } from '../../api/client.ts';
import type { operations } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { useSession } from '../../app/session.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { formatDate, formatDateTime, formatRelative } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { CursorPagination, useCursorPages } from '../../ui/pagination.tsx';
import { ActionError, EmptyState, QueryView } from '../../ui/states.tsx';
import { grantableRoles, mayManageUser, roleLabel } from './roles.ts';
import type { CustomerRole } from './roles.ts';
import { SecretDialog } from '../../ui/secret-dialog.tsx';
import { validateInvite } from './users.ts';
import type { InviteErrors } from './users.ts';
import './settings.css';

type TenantUser = operations['getUsers']['responses'][200]['content']['application/json']['users'][number];

const USERS_QUERY_KEY = ['settings', 'users'] as const;
const PAGE_SIZE = 50;

const STATUS_BADGES = {
  active: { label: 'Active', className: 'badge badge-success' },
  setup_pending: { label: 'Setup pending', className: 'badge badge-warning' },
  disabled: { label: 'Disabled', className: 'badge badge-danger' },
} as const;

export default function UsersPage() {
  const { can } = useSession();
  const [inviting, setInviting] = useState(false);
  const [link, setLink] = useState<{ title: string; url: string } | null>(null);
  const allowed = can('users:manage');

  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in to your organisation, and with which role."
        actions={
          allowed && (
            <button type="button" className="btn btn-primary" onClick={() => setInviting(true)}>
              Invite user
            </button>
          )
        }
      />
      {allowed ? (
        <UserList onLinkIssued={(user) => setLink({ title: `New setup link for ${user.name}`, url: user.link })} />
      ) : (
        <EmptyState title="Only admins manage users">
          <p className="muted">Ask an admin or the owner of your organisation to invite people or change roles.</p>
        </EmptyState>
      )}
      {allowed && (
        <InviteDialog
          open={inviting}
          onOpenChange={setInviting}
          onInvited={(name, url) => {
            setInviting(false);
            setLink({ title: `${name} is invited`, url });
          }}
        />
      )}
      {link && (
        <SecretDialog
          onClose={() => setLink(null)}
          title={link.title}
          label="setup link"
          secret={link.url}
          explanation="Send this link to the person: it lets them set their password once, within 7 days. Earlier links for them no longer work."
        />
      )}
    </>
  );
}

function UserList({ onLinkIssued }: { onLinkIssued: (issued: { name: string; link: string }) => void }) {
  const pages = useCursorPages();
  const query = useQuery({
    queryKey: [...USERS_QUERY_KEY, pages.cursor],
    queryFn: async () =>
      data(await api.GET('/v1/users', { params: { query: { limit: PAGE_SIZE, cursor: pages.cursor } } })),
    placeholderData: (previous) => previous,
  });

  return (
    <QueryView query={query}>
      {(page) =>
        page.users.length === 0 ? (
          <EmptyState title="No users on this page" />
        ) : (
          <>
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Users of your organisation</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Status</th>
                    <th scope="col">Last login</th>
                    <th scope="col">Added</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.users.map((user) => (
                    <UserRow key={user.id} user={user} onLinkIssued={onLinkIssued} />
                  ))}
                </tbody>
              </table>
            </div>
            {(page.has_more || pages.pageNumber > 1) && (
              <CursorPagination pages={pages} nextCursor={page.next_cursor} label="Users" />
            )}
          </>
        )
      }
    </QueryView>
  );
}

function UserRow({
  user,
  onLinkIssued,
}: {
  user: TenantUser;
  onLinkIssued: (issued: { name: string; link: string }) => void;
}) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const [role, setRole] = useState(user.role);
  const manageable = mayManageUser(me.role, user.role);
  const changeRole = useMutation({
    mutationFn: async (next: CustomerRole) =>
      data(await api.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: { role: next } })),
    onSuccess: (updated) => {
      setRole(updated.role);
      void queryClient.invalidateQueries({ queryKey: USERS_QUERY_KEY });
    },
  });
  const reissue = useMutation({
    mutationFn: async () => data(await api.POST('/v1/users/{id}/setup-link', { params: { path: { id: user.id } } })),
    onSuccess: (issued) => {
      void queryClient.invalidateQueries({ queryKey: USERS_QUERY_KEY });
      onLinkIssued({ name: issued.user.name, link: issued.setup_link });
    },
  });
  const status = STATUS_BADGES[user.status];
  const isSelf = user.id === me.user_id;
  const roleSelectId = `role-${user.id}`;

  return (
    <tr>
      <td>
        {user.name}
        {isSelf && <span className="muted"> (you)</span>}
      </td>
      <td>{user.email}</td>
      <td>
        {manageable ? (
          <form
            className="settings-role-edit"
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              changeRole.mutate(role as CustomerRole);
            }}
          >
            <label htmlFor={roleSelectId} className="visually-hidden">
              Role of {user.name}
            </label>
            <select
              id={roleSelectId}
              value={role}
              onChange={(event) => {
                changeRole.reset();
                setRole(event.target.value);
              }}
            >
              {grantableRoles(me.role).map((option) => (
                <option key={option} value={option}>
                  {roleLabel(option)}
                </option>
              ))}
            </select>
            {role !== user.role && (
              <button
                type="submit"
                className="btn btn-small btn-primary"
                disabled={changeRole.isPending}
                aria-label={`Save role of ${user.name}`}
              >
                {changeRole.isPending ? 'Saving…' : 'Save'}
              </button>
            )}
          </form>
        ) : (
          roleLabel(user.role)
        )}
        {changeRole.error ? (
          <p className="settings-row-error" role="alert">
            {changeRole.error instanceof ApiProblem ? changeRole.error.detail : String(changeRole.error)}
          </p>
        ) : null}
      </td>
      <td>
        <span className={status.className}>{status.label}</span>
      </td>
      <td className="settings-nowrap" title={formatDateTime(user.last_login_at)}>
        {user.last_login_at ? formatRelative(user.last_login_at) : <span className="muted">Never</span>}
      </td>
      <td className="settings-nowrap">{formatDate(user.created_at)}</td>
      <td>
        {manageable && (
          <button
            type="button"
            className="btn btn-small"
            disabled={reissue.isPending}
            onClick={() => reissue.mutate()}
            aria-label={`New setup link for ${user.name}`}
          >
            New setup link
          </button>
        )}
        <ActionError error={reissue.error} />
      </td>
    </tr>
  );
}

function InviteDialog({
  open,
  onOpenChange,
  onInvited,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onInvited: (name: string, setupLink: string) => void;
}) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const roles = grantableRoles(me.role);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<CustomerRole>(roles.includes('member') ? 'member' : (roles[0] ?? 'viewer'));
  // Checked from the first submit on, and again on every change after it, so no message goes stale.
  const [attempted, setAttempted] = useState(false);
  const errors: InviteErrors = attempted ? validateInvite({ email, name }) : {};
  const invite = useMutation({
    mutationFn: async () =>
      data(await api.POST('/v1/users', { body: { email: email.trim(), name: name.trim(), role } })),
    onSuccess: (invited) => {
      void queryClient.invalidateQueries({ queryKey: USERS_QUERY_KEY });
      setEmail('');
      setName('');
      setAttempted(false);
      onInvited(invited.user.name, invited.setup_link);
    },
  });
  const serverError = (field: string) =>
    invite.error instanceof ApiProblem ? invite.error.fieldError(field) : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(validateInvite({ email, name })).length === 0) invite.mutate();
  };

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Invite user"
      description="They get a one-time link to set their password; you send it to them."
    >
      <form onSubmit={submit} noValidate>
        <TextField
          label="Email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={errors.email ?? serverError('email')}
          required
        />
        <TextField
          label="Name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={errors.name ?? serverError('name')}
          maxLength={200}
          required
        />
        <SelectField
          label="Role"
          value={role}
          onChange={(event) => setRole(event.target.value as CustomerRole)}
          error={serverError('role')}
          hint="Up to your own role."
        >
          {roles.map((option) => (
            <option key={option} value={option}>
              {roleLabel(option)}
            </option>
          ))}
        </SelectField>
        <ActionError error={invite.error} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
            {invite.isPending ? 'Inviting…' : 'Invite'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
