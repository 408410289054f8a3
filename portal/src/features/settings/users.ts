// The invite form's client-side checks, matching the server's (an email, a name of 1–200 characters).

export interface InviteErrors {
  email?: string;
  name?: string;
}

// The shape browsers accept for type=email; the server normalises and checks again.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateInvite(form: { email: string; name: string }): InviteErrors {
  const errors: InviteErrors = {};
  const email = form.email.trim();
  if (email === '') errors.email = 'Enter their email address';
  else if (!EMAIL.test(email) || email.length > 254) errors.email = 'Enter an email address like ada@example.com';
  const name = form.name.trim();
  if (name === '') errors.name = 'Enter their name';
  else if (name.length > 200) errors.name = 'At most 200 characters';
  return errors;
}
