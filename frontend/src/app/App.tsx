import { lazy, Suspense } from "react";
import { Navigate, NavLink, Route, Routes, useLocation, useSearchParams } from "react-router-dom";
import { BoardPage } from "../board/BoardPage";
import { ImportPage } from "../imports/ImportPage";
import { LeadCreatePage } from "../leads/LeadCreatePage";
import { LeadDetailPage } from "../leads/LeadDetailPage";
import { LeadListPage } from "../leads/LeadListPage";
import { LiveIndicator } from "../live/LiveIndicator";
import { LiveProvider } from "../live/LiveProvider";
import { QuickJump } from "../search/QuickJump";
import { SettingsPage } from "../settings/SettingsPage";
import { Avatar, Loaded, Spinner } from "../ui/components";
import { AuthProvider, useAuth, useMe } from "./auth";
import { LoginPage } from "./LoginPage";
import { initials } from "./queries";

// The reports page brings a chart library: its own chunk, fetched when the page is opened.
const ReportsPage = lazy(() => import("../reports/ReportsPage"));

export function App() {
  const me = useMe();
  const location = useLocation();
  return (
    <Loaded query={me} label="Loading Lead CRM">
      {(user) => {
        if (!user) {
          if (location.pathname === "/login") return <LoginPage />;
          const next = `${location.pathname}${location.search}`;
          return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
        }
        return (
          <AuthProvider user={user}>
            {/* Inside the signed-in shell: signing out unmounts it, which closes the stream. */}
            <LiveProvider>
              <Shell />
            </LiveProvider>
          </AuthProvider>
        );
      }}
    </Loaded>
  );
}

function Shell() {
  const { user, canWrite, isAdmin, signOut } = useAuth();
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Lead CRM
        </NavLink>
        <nav className="nav" aria-label="Main">
          <NavLink to="/" end>
            Board
          </NavLink>
          <NavLink to="/leads">Leads</NavLink>
          <NavLink to="/reports">Reports</NavLink>
          {canWrite ? <NavLink to="/imports">Import</NavLink> : null}
          {isAdmin ? <NavLink to="/settings">Settings</NavLink> : null}
        </nav>
        <QuickJump />
        <div className="me">
          <LiveIndicator />
          <Avatar label={initials(user)} title={user.display_name || user.username} />
          <span className="me-name" data-testid="me-name">
            {user.display_name || user.username}
            <small className="muted"> · {user.role}</small>
          </span>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main className="content">
        <Routes>
          <Route path="/" element={<BoardPage />} />
          <Route path="/leads" element={<LeadListPage />} />
          <Route path="/leads/new" element={<LeadCreatePage />} />
          <Route path="/leads/:uid" element={<LeadDetailPage />} />
          <Route path="/imports/:uid?" element={canWrite ? <ImportPage /> : <Navigate to="/" replace />} />
          <Route
            path="/reports"
            element={
              <Suspense fallback={<Spinner label="Loading reports" />}>
                <ReportsPage />
              </Suspense>
            }
          />
          <Route
            path="/settings/*"
            element={isAdmin ? <SettingsPage /> : <Navigate to="/" replace />}
          />
          <Route path="/login" element={<AfterSignIn />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </div>
  );
}

function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p className="muted">
        Nothing lives at this address. <NavLink to="/">Back to the board</NavLink>.
      </p>
    </div>
  );
}

/** Signed in while on /login: go where the sign-in was asked for (`?next=`), else the board. */
function AfterSignIn() {
  const [params] = useSearchParams();
  const next = params.get("next");
  return <Navigate to={next?.startsWith("/") && !next.startsWith("//") ? next : "/"} replace />;
}
