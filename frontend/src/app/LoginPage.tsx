import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ApiError, api, errorText, unwrap } from "../api/client";
import { meQueryKey, rememberSignedIn } from "./auth";
import { clock, useSecondsLeft, waitSentence } from "./loginWait";

export function LoginPage() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // When the server's sign-in throttle lets this username (or address) try again.
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const secondsLeft = useSecondsLeft(waitUntil);
  const queryClient = useQueryClient();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setWaitUntil(null);
    try {
      const signedIn = await unwrap(api.POST("/api/auth/login/", { body: { username, password } }));
      // App then renders the signed-in routes, whose /login route follows `?next=`.
      rememberSignedIn(true);
      queryClient.setQueryData(meQueryKey, signedIn.user);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 429 && caught.retryAfterSeconds) {
        setWaitUntil(Date.now() + caught.retryAfterSeconds * 1000);
      } else {
        setError(errorText(caught, "Sign-in failed."));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <form className="login-card" onSubmit={(event) => void submit(event)}>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Lead CRM
        </div>
        <p className="muted">Sign in to work your pipeline.</p>
        <label className="field">
          <span className="field-label">Username</span>
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            required
            autoFocus
          />
        </label>
        <label className="field">
          <span className="field-label">Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </label>
        {secondsLeft !== null ? (
          <div className="banner banner-error" role="alert" data-testid="login-wait">
            {waitSentence(secondsLeft)}
          </div>
        ) : error ? (
          <div className="banner banner-error" role="alert">
            {error}
          </div>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || secondsLeft !== null}>
          {busy ? "Signing in…" : secondsLeft !== null ? `Try again in ${clock(secondsLeft)}` : "Sign in"}
        </button>
      </form>
    </div>
  );
}
