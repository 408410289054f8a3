import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect } from 'react';
import type { ReactNode } from 'react';
import { api, csrfToken, data, onSessionEnded } from '../api/client.ts';
import { ApiProblem } from '../api/problem.ts';

/** Who is logged in, as `GET /v1/me` answers. */
export type Me = Awaited<ReturnType<typeof fetchMe>>;

export const ME_QUERY_KEY = ['me'] as const;

async function fetchMe() {
  return data(await api.GET('/v1/me'));
}

/** Null when nobody is logged in (the API answered 401). */
async function fetchSession() {
  try {
    return await fetchMe();
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 401) return null;
    throw error;
  }
}

interface Session {
  me: Me;
  can(permission: string): boolean;
  isStaff: boolean;
}

const SessionContext = createContext<Session | null>(null);

/** The logged-in caller; only rendered inside `RequireSession`. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a logged-in page');
  return session;
}

export function useSessionQuery() {
  return useQuery({ queryKey: ME_QUERY_KEY, queryFn: fetchSession, staleTime: 60_000, retry: false });
}

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const permissions = new Set(me.permissions);
  const value: Session = { me, can: (permission) => permissions.has(permission), isStaff: me.customer_id === null };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** Any 401 from the API ends the session in the portal: the cache is dropped and the login page shown. */
export function useSessionEndHandling(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onSessionEnded(() => {
        csrfToken.clear();
        queryClient.setQueryData(ME_QUERY_KEY, null);
      }),
    [queryClient],
  );
}

export async function logIn(email: string, password: string) {
  const session = data(await api.POST('/v1/auth/login', { body: { email, password } }));
  csrfToken.set(session.csrf_token);
  return session;
}

export async function logOut(): Promise<void> {
  try {
    await api.POST('/v1/auth/logout');
  } finally {
    csrfToken.clear();
  }
}
