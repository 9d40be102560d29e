/** The shell: the navigation, the sign-in gate (no page, no request without a token) and the routes. */
import { lazy, type ReactNode, Suspense } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { useSession } from './lib/auth';
import { SignInPage } from './pages/SignIn';

// each page is its own chunk: the first paint parses the shell and that page (and Chart.js only
// where a page draws one), not every page
const ApplicationPage = lazy(() => import('./pages/Application').then((m) => ({ default: m.ApplicationPage })));
const ApplicationsPage = lazy(() => import('./pages/Applications').then((m) => ({ default: m.ApplicationsPage })));
const ClusterPage = lazy(() => import('./pages/Cluster').then((m) => ({ default: m.ClusterPage })));
const ClustersPage = lazy(() => import('./pages/Clusters').then((m) => ({ default: m.ClustersPage })));
const CostsPage = lazy(() => import('./pages/Costs').then((m) => ({ default: m.CostsPage })));
const JobPage = lazy(() => import('./pages/Job').then((m) => ({ default: m.JobPage })));
const SessionsPage = lazy(() => import('./pages/Sessions').then((m) => ({ default: m.SessionsPage })));
const JobsPage = lazy(() => import('./pages/Jobs').then((m) => ({ default: m.JobsPage })));

function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  // with a stored token the page's requests start beside the token's check (whoami), not after
  // it: they carry the token, and a 401 signs out and comes back here without a principal
  if (!session.principal && !session.checking) {
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <Suspense
      fallback={
        <p className="note" role="status">
          Loading…
        </p>
      }
    >
      {children}
    </Suspense>
  );
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
            <NavLink to="/sessions">Sessions</NavLink>
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
          <Route path="/sessions" element={gated(<SessionsPage />)} />
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
