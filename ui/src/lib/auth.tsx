/** The session: the token, whom it names and its scopes (from GET /api/v1/whoami), sign-in and sign-out. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, getJson, onUnauthorized, storedToken, storeToken } from './api';
import type { PrincipalView, Scope } from './types';

interface Session {
  principal: PrincipalView | undefined;
  /** True while the stored token is being checked. */
  checking: boolean;
  signIn(token: string): Promise<void>;
  signOut(): void;
  /** Whether the token holds the scope (admin holds every one). */
  can(scope: Scope): boolean;
}

const SessionContext = createContext<Session | undefined>(undefined);

/**
 * Opens (POST) or ends (DELETE) the browser session of the Spark UI proxy: an HttpOnly cookie the
 * links to the live Spark UI need, since a link cannot send the token. Best effort: without it the
 * dashboards work and only the Spark UI asks to sign in.
 */
function uiSession(method: 'POST' | 'DELETE', token: string): void {
  void fetch('/api/v1/session', { method, headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [principal, setPrincipal] = useState<PrincipalView>();
  // nothing is fetched without a token: with none stored there is nothing to check
  const [checking, setChecking] = useState(() => storedToken() !== undefined);

  const signOut = useCallback(() => {
    const token = storedToken();
    if (token) uiSession('DELETE', token);
    storeToken(undefined);
    setPrincipal(undefined);
    setChecking(false);
  }, []);

  useEffect(() => {
    onUnauthorized(signOut);
    const token = storedToken();
    if (!token) return;
    getJson<PrincipalView>('/api/v1/whoami')
      .then((p) => {
        setPrincipal(p);
        // a reloaded tab: its cookie may have expired meanwhile
        uiSession('POST', token);
      })
      .catch(() => signOut())
      .finally(() => setChecking(false));
  }, [signOut]);

  const signIn = useCallback(async (token: string) => {
    const response = await fetch('/api/v1/whoami', { headers: { authorization: `Bearer ${token}` } });
    if (response.status === 401) throw new ApiError(401, 'This token is unknown or revoked.');
    if (!response.ok) throw new ApiError(response.status, `The runtime answered HTTP ${response.status}.`);
    storeToken(token);
    setPrincipal((await response.json()) as PrincipalView);
    uiSession('POST', token);
  }, []);

  const session = useMemo<Session>(
    () => ({
      principal,
      checking,
      signIn,
      signOut,
      can: (scope) => !!principal && (principal.scopes.includes('admin') || principal.scopes.includes(scope)),
    }),
    [principal, checking, signIn, signOut],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
