// Saved views: the list of the ones this user may use, saving one and deleting one.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";

export type SavedView = Schemas["ViewOut"];
export type ViewTarget = SavedView["target"];
export type ViewDraft = Schemas["ViewCreateRequest"];

const viewsKey = (target: ViewTarget) => ["views", target] as const;

export function useViews(target: ViewTarget) {
  return useQuery<SavedView[]>({
    queryKey: viewsKey(target),
    queryFn: () => unwrap(api.GET("/api/views/", { params: { query: { target } } })),
  });
}

export function useSaveView(target: ViewTarget) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (draft: ViewDraft) => unwrap(api.POST("/api/views/", { body: draft })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: viewsKey(target) }),
  });
}

export function useDeleteView(target: ViewTarget) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (uid: string) => unwrap(api.DELETE("/api/views/{uid}/", { params: { path: { uid } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: viewsKey(target) }),
  });
}

/** The filters of a page's URL as a view keeps them: every parameter but the page's own. */
export function viewFilters(params: URLSearchParams, own: readonly string[] = ["cursor", "sort"]): string {
  const kept = new URLSearchParams();
  for (const [name, value] of params) {
    if (!own.includes(name) && value.trim()) kept.append(name, value);
  }
  return kept.toString();
}

/** The URL parameters that open `view`: its filters, and its sort when it has one. */
export function viewParams(view: Pick<SavedView, "filters" | "sort">): URLSearchParams {
  const params = new URLSearchParams(view.filters);
  if (view.sort) params.set("sort", view.sort);
  return params;
}
