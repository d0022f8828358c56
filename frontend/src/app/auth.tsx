import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, type ReactNode } from "react";
import { ApiError, api, unwrap } from "../api/client";
import type { User } from "../api/types";

interface Auth {
  user: User;
  canWrite: boolean;
  isAdmin: boolean;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export const meQueryKey = ["auth", "me"] as const;

// The session cookie is HttpOnly, so the page cannot see it. This hint, kept beside it, says
// whether this browser signed in (and did not sign out): without it the page does not ask
// /api/auth/me/ at all, so a signed-out page load logs no 401 in the console.
const SIGNED_IN_HINT = "leadcrm.signedIn";

export function rememberSignedIn(signedIn: boolean) {
  try {
    if (signedIn) window.localStorage.setItem(SIGNED_IN_HINT, "1");
    else window.localStorage.removeItem(SIGNED_IN_HINT);
  } catch {
    // Storage off: the page asks the server every time, as it would without the hint.
  }
}

function mightBeSignedIn(): boolean {
  try {
    return window.localStorage.getItem(SIGNED_IN_HINT) === "1";
  } catch {
    return true;
  }
}

/** Who is signed in (null when nobody is), from the session cookie. */
export function useMe() {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: async () => {
      if (!mightBeSignedIn()) return null;
      try {
        const user = await unwrap(api.GET("/api/auth/me/"));
        rememberSignedIn(true);
        return user;
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          rememberSignedIn(false);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function AuthProvider({ user, children }: { user: User; children: ReactNode }) {
  const queryClient = useQueryClient();
  const signOut = async () => {
    await unwrap(api.POST("/api/auth/logout/")).catch(() => undefined);
    rememberSignedIn(false);
    // Forget what the signed-in user saw, but keep the `me` query App observes (now null):
    // clear() would drop it too and leave App showing the old user until a reload.
    queryClient.setQueryData(meQueryKey, null);
    queryClient.removeQueries({
      predicate: (query) => JSON.stringify(query.queryKey) !== JSON.stringify(meQueryKey),
    });
  };
  const value: Auth = {
    user,
    canWrite: user.role === "admin" || user.role === "member",
    isAdmin: user.role === "admin",
    signOut,
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}
