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

/** Who is signed in (null when nobody is), from the session cookie. */
export function useMe() {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: async () => {
      try {
        return await unwrap(api.GET("/api/auth/me/"));
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
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
