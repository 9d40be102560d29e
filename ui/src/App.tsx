/** The shell: the navigation, the sign-in gate (no page, no request without a token) and the routes. */
import type { ReactNode } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { useSession } from './lib/auth';
import { ApplicationPage } from './pages/Application';
import { ApplicationsPage } from './pages/Applications';
import { ClusterPage } from './pages/Cluster';
import { ClustersPage } from './pages/Clusters';
import { CostsPage } from './pages/Costs';
import { JobPage } from './pages/Job';
import { JobsPage } from './pages/Jobs';
import { SignInPage } from './pages/SignIn';

function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.checking) {
    return (
      <p className="note" role="status">
        Checking the token…
      </p>
    );
  }
  if (!session.principal) {
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

function Header() {
  const session = useSession();
  return (
    <header className="top">
      <Link className="brand" to="/applications">
        sparkplane
      </Link>
      {session.principal && (
        <>
          <nav aria-label="Main">
            <NavLink to="/applications">Applications</NavLink>
            <NavLink to="/jobs">Jobs</NavLink>
            <NavLink to="/clusters">Clusters</NavLink>
            <NavLink to="/costs">Costs</NavLink>
          </nav>
          <div className="who">
            <span title={session.principal.scopes.join(', ')}>{session.principal.name}</span>
            <button type="button" className="link-button" onClick={session.signOut}>
              Sign out
            </button>
          </div>
        </>
      )}
    </header>
  );
}

export function App() {
  const gated = (page: ReactNode) => <RequireSession>{page}</RequireSession>;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main">
        <Routes>
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/" element={<Navigate to="/applications" replace />} />
          <Route path="/applications" element={gated(<ApplicationsPage />)} />
          <Route path="/applications/:appId" element={gated(<ApplicationPage />)} />
          <Route path="/jobs" element={gated(<JobsPage />)} />
          <Route path="/jobs/:jobId" element={gated(<JobPage />)} />
          <Route path="/clusters" element={gated(<ClustersPage />)} />
          <Route path="/clusters/:clusterId" element={gated(<ClusterPage />)} />
          <Route path="/costs" element={gated(<CostsPage />)} />
          <Route
            path="*"
            element={
              <p className="note">
                No such page. <Link to="/applications">Go to the applications</Link>.
              </p>
            }
          />
        </Routes>
      </main>
    </>
  );
}
