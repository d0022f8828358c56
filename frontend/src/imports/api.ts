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

// The upload's answer (columns, samples, suggestions) for this tab, so a reload at the mapping
// step shows them again: the import's status carries the columns only.
const KEPT_UPLOAD = "leadcrm.import.";

function keepUpload(upload: ImportUpload) {
  try {
    window.sessionStorage.setItem(`${KEPT_UPLOAD}${upload.uid}`, JSON.stringify(upload));
  } catch {
    // Storage off or full: a reload shows the columns without their samples.
  }
}

export function keptUpload(uid: string): ImportUpload | null {
  try {
    const text = window.sessionStorage.getItem(`${KEPT_UPLOAD}${uid}`);
    return text ? (JSON.parse(text) as ImportUpload) : null;
  } catch {
    return null;
  }
}

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
    onSuccess: (upload) => {
      cache.setQueryData(importKeys.upload(upload.uid), upload);
      keepUpload(upload);
    },
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
    // The 202 carries the queued import: the page moves to the progress step and polls.
    onSuccess: (state) => cache.setQueryData(importKeys.state(uid), state),
  });
}
