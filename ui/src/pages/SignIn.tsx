/** Sign-in with an API token, kept in sessionStorage for this browser tab only. */
import { type FormEvent, useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { useTitle } from '../components';
import { useSession } from '../lib/auth';

/** Only paths of this site: a `next` pointing elsewhere would make sign-in an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/applications';
}

export function SignInPage() {
  useTitle('Sign in');
  const session = useSession();
  const [params] = useSearchParams();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));

  if (session.principal) return <Navigate to={next} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await session.signIn(token.trim());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p>
        Paste an API token. It stays in this browser tab only (session storage) and is sent with every request as{' '}
        <code>Authorization: Bearer</code>.
      </p>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="token">API token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            required
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        </div>
        {error && (
          <p className="note note-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="note">
        The runtime prints its first admin token when it starts; more tokens come from <code>POST /api/v1/tokens</code>.
      </p>
    </section>
  );
}
