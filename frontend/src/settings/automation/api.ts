// The automation rules API (admins only) as TanStack Query hooks: the rules, a rule's runs, and
// the writes. A write refetches the rules: the server renders each rule's sentence.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";

export type Rule = Schemas["RuleOut"];
export type RuleCreate = Schemas["RuleCreateRequest"];
export type RulePatch = Schemas["PatchedRuleUpdateRequest"];
export type TriggerIn = RuleCreate["trigger"];
export type ActionIn = RuleCreate["actions"][number];
export type Run = Schemas["RunOut"];

export const rulesKey = ["automation", "rules"] as const;
export const runsKey = (uid: string) => ["automation", "rules", uid, "runs"] as const;

export const RUNS_SHOWN = 20;

export function useRules() {
  return useQuery({ queryKey: rulesKey, queryFn: () => unwrap(api.GET("/api/automation/rules/")) });
}

export function useRuns(uid: string) {
  return useQuery({
    queryKey: runsKey(uid),
    queryFn: () =>
      unwrap(api.GET("/api/automation/rules/{uid}/runs/", { params: { path: { uid }, query: { limit: RUNS_SHOWN } } })),
    // Runs come from events the worker handles: an open panel follows them.
    refetchInterval: 5000,
  });
}

function useRuleWrite<TData, TVariables>(mutationFn: (variables: TVariables) => Promise<TData>) {
  const cache = useQueryClient();
  return useMutation<TData, Error, TVariables>({
    mutationFn,
    onSettled: () => cache.invalidateQueries({ queryKey: rulesKey }),
  });
}

export function useCreateRule() {
  return useRuleWrite((body: RuleCreate) => unwrap(api.POST("/api/automation/rules/", { body })));
}

export function useUpdateRule() {
  return useRuleWrite(({ uid, patch }: { uid: string; patch: RulePatch }) =>
    unwrap(api.PATCH("/api/automation/rules/{uid}/", { params: { path: { uid } }, body: patch })),
  );
}

export function useDeleteRule() {
  return useRuleWrite((uid: string) =>
    unwrap(api.DELETE("/api/automation/rules/{uid}/", { params: { path: { uid } } })),
  );
}
