import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { TextField } from '../../ui/field.tsx';
import { usePageTitle } from '../../ui/page.tsx';
import { ActionError } from '../../ui/states.tsx';

const MIN_PASSWORD_LENGTH = 12;

/**
 * The one-time setup link printed by the CLI (`/setup#token=…`). The token travels in the fragment,
 * which browsers never send to a server, so it stays out of access logs and Referer headers.
 */
export function setupTokenFrom(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token');
}

export default function SetupPage() {
  usePageTitle('Set your password');
  const [token] = useState(() => setupTokenFrom(window.location.hash));
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [touched, setTouched] = useState(false);
  const setup = useMutation({
    mutationFn: async () => (await api.POST('/v1/auth/setup', { body: { token: token ?? '', password } })).data,
  });
  const tooShort = password.length < MIN_PASSWORD_LENGTH ? `At least ${MIN_PASSWORD_LENGTH} characters` : undefined;
  const mismatch = repeat !== password ? 'The two passwords differ' : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!tooShort && !mismatch) setup.mutate();
  };

  if (!token) {
    return (
      <main className="auth-page" id="main">
        <div className="card auth-card">
          <h1>Set your password</h1>
          <p role="alert">
            This link has no setup token. Use the whole link you were given, or ask an administrator for a new one.
          </p>
        </div>
      </main>
    );
  }
  if (setup.isSuccess) {
    return (
      <main className="auth-page" id="main">
        <div className="card auth-card">
          <h1>Password set</h1>
          <p>
            Your password is set for {setup.data?.email}. <Link to="/login">Log in</Link>.
          </p>
        </div>
      </main>
    );
  }
  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Set your password</h1>
        <p className="muted">The link works once. Choose a password of at least {MIN_PASSWORD_LENGTH} characters.</p>
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={touched ? tooShort : undefined}
        />
        <TextField
          label="Repeat the password"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          error={touched ? mismatch : undefined}
        />
        <ActionError error={setup.error} />
        <button type="submit" className="btn btn-primary" disabled={setup.isPending}>
          Set password
        </button>
      </form>
    </main>
  );
}
