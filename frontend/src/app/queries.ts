// Shared server state: the workflow set-up and the team, read by every screen.
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import type { Config, Lead, Stage, User } from "../api/types";

export const queryKeys = {
  config: ["config"] as const,
  stages: ["stages"] as const,
  users: ["users"] as const,
  board: ["board"] as const,
  leads: ["leads"] as const,
  lead: (uid: string) => ["lead", uid] as const,
  activities: (uid: string) => ["lead", uid, "activities"] as const,
};

/**
 * After a write to a lead, on its page or on the board: the server's copy (`lead`, with its
 * fresh `moves`) goes in the cache, or the lead is refetched when none came back; its timeline,
 * the board and the lists, which show it too, are refetched. The one way a lead write
 * refreshes the caches.
 */
export function refreshLead(queryClient: QueryClient, lead: Lead | null, uid: string) {
  if (lead) queryClient.setQueryData(queryKeys.lead(uid), lead);
  else void queryClient.invalidateQueries({ queryKey: queryKeys.lead(uid), exact: true });
  void queryClient.invalidateQueries({ queryKey: queryKeys.activities(uid) });
  void queryClient.invalidateQueries({ queryKey: queryKeys.board });
  void queryClient.invalidateQueries({ queryKey: queryKeys.leads });
}

export function useConfig() {
  return useQuery<Config>({
    queryKey: queryKeys.config,
    queryFn: () => unwrap(api.GET("/api/config/")),
  });
}

export function useStages() {
  return useQuery<Stage[]>({
    queryKey: queryKeys.stages,
    queryFn: () => unwrap(api.GET("/api/stages/")),
  });
}

export function useUsers() {
  return useQuery<User[]>({
    queryKey: queryKeys.users,
    queryFn: () => unwrap(api.GET("/api/users/")),
    staleTime: 60_000,
  });
}

export function initials(user: Pick<User, "display_name" | "username"> | undefined): string {
  const name = (user?.display_name || user?.username || "?").trim();
  const parts = name.split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]?.[0] ?? ""}${parts.at(-1)?.[0] ?? ""}` : name.slice(0, 2);
  return letters.toUpperCase();
}

export function formatMoney(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: "USD",
    maximumFractionDigits: 0,
  }).format(value);
}

export function daysSince(iso: string | null | undefined, now: Date = new Date()): number {
  if (!iso) return 0;
  return Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 86_400_000));
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}
