// Every server call of the import page, as TanStack Query hooks. The status of an import is
// the one thing the page follows: uploading puts the upload in the cache, running puts the
// queued status there, and while the run is queued or running the status is asked again every
// second. A finished import refreshes what shows leads.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
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

const path = (uid: string) => ({ params: { path: { uid } } });

export function useImportState(uid: string) {
  const cache = useQueryClient();
  return useQuery<ImportState>({
    queryKey: importKeys.state(uid),
    queryFn: async () => {
      const state = await unwrap(api.GET("/api/imports/{uid}/", path(uid)));
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
      // openapi-fetch sends a FormData as it is, with the browser's multipart boundary.
      return unwrap(api.POST("/api/imports/", { body: form as never }));
    },
    onSuccess: (upload) => {
      cache.setQueryData(importKeys.upload(upload.uid), upload);
      keepUpload(upload);
    },
  });
}

export function usePreviewImport(uid: string) {
  return useMutation<ImportPreview, Error, ImportOptions>({
    mutationFn: (body) => unwrap(api.POST("/api/imports/{uid}/preview/", { ...path(uid), body })),
  });
}

export function useRunImport(uid: string) {
  const cache = useQueryClient();
  return useMutation<ImportState, Error, ImportOptions>({
    mutationFn: (body) => unwrap(api.POST("/api/imports/{uid}/run/", { ...path(uid), body })),
    // The 202 carries the queued import: the page moves to the progress step and polls.
    onSuccess: (state) => cache.setQueryData(importKeys.state(uid), state),
  });
}
