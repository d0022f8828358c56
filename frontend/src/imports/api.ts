// Every server call of the import page, as TanStack Query hooks. The status of an import is
// the one thing the page follows: uploading puts the upload in the cache, running puts the
// queued status there, and while the run is queued or running the status is asked again every
// second. A finished import refreshes what shows leads.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, csrfToken } from "../api/client";
import { queryKeys } from "../app/queries";
import type { ImportOptions, ImportPreview, ImportState, ImportUpload } from "./types";
import { isRunning, POLL_MS, stepOf } from "./wizard";

export const importKeys = {
  state: (uid: string) => ["import", uid] as const,
  upload: (uid: string) => ["import", uid, "upload"] as const,
};

export const errorsCsvUrl = (uid: string) => `/api/imports/${encodeURIComponent(uid)}/errors.csv`;

/** One call: JSON (or the upload's form) in, JSON out; a refusal is an ApiError with the
 * server's error shape. The import paths are not in the generated schema yet, so this stands
 * in for `unwrap(api.POST(...))`. */
async function call<T>(method: "GET" | "POST", path: string, body?: FormData | object): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined && !(body instanceof FormData)) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, undefined);
  }
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, errorOf(payload));
  return payload as T;
}

function errorOf(payload: unknown) {
  if (typeof payload !== "object" || payload === null || !("error" in payload)) return undefined;
  const { error } = payload as { error: unknown };
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return error as { code: string; message: string; fields?: Record<string, string[]> };
}

const base = (uid: string) => `/api/imports/${encodeURIComponent(uid)}`;

export function useImportState(uid: string) {
  const cache = useQueryClient();
  return useQuery<ImportState>({
    queryKey: importKeys.state(uid),
    queryFn: async () => {
      const state = await call<ImportState>("GET", `${base(uid)}/`);
      // The run ended: the board and the lists now hold its leads.
      if (stepOf(state) === "summary") {
        void cache.invalidateQueries({ queryKey: queryKeys.board });
        void cache.invalidateQueries({ queryKey: queryKeys.leads });
      }
      return state;
    },
    refetchInterval: (query) => (isRunning(query.state.data) ? POLL_MS : false),
    // A tab in the background keeps following the run, so the bar is right when it comes back.
    refetchIntervalInBackground: true,
  });
}

export function useUploadImport() {
  const cache = useQueryClient();
  return useMutation<ImportUpload, Error, File>({
    mutationFn: (file) => {
      const form = new FormData();
      form.append("file", file);
      return call<ImportUpload>("POST", "/api/imports/", form);
    },
    onSuccess: (upload) => cache.setQueryData(importKeys.upload(upload.uid), upload),
  });
}

export function usePreviewImport(uid: string) {
  return useMutation<ImportPreview, Error, ImportOptions>({
    mutationFn: (options) => call<ImportPreview>("POST", `${base(uid)}/preview/`, options),
  });
}

export function useRunImport(uid: string) {
  const cache = useQueryClient();
  return useMutation<ImportState, Error, ImportOptions>({
    mutationFn: (options) => call<ImportState>("POST", `${base(uid)}/run/`, options),
    onSuccess: (state) => {
      // The 202 may carry the queued status; either way the page moves to the progress step
      // now and follows the run from there.
      const queued = state && typeof state === "object" && "status" in state ? state : null;
      cache.setQueryData<ImportState>(importKeys.state(uid), (old) =>
        queued ?? (old ? { ...old, status: "queued" } : old),
      );
      void cache.invalidateQueries({ queryKey: importKeys.state(uid) });
    },
  });
}
