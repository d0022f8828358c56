// The import API's shapes, written from DESIGN §8 until the server's schema has them; then each
// name below becomes an alias of the generated type (`Schemas["ImportUploadOut"]`, ...) and the
// screens keep reading these names.

export type MatchOn = "email" | "phone" | "uid" | "none";
export type OnMatch = "skip" | "update" | "create";
export type ImportStatusName = "queued" | "running" | "done" | "failed";

/** Where a column's values go: a core field, `data.<field_key>`, stage, assignees or tags;
 * null: the column is not imported. */
export type ImportTarget = string | null;
export type ImportMapping = Record<string, ImportTarget>;

/** `POST /api/imports/`: the file is stored and read once for its header and first rows. */
export interface ImportUpload {
  uid: string;
  file_name: string;
  columns: string[];
  /** The first rows, each a list of cells in column order. */
  sample_rows: string[][];
  suggested_mapping: ImportMapping;
  /** Non-blank data rows in the file. */
  total: number;
}

/** `POST /api/imports/{uid}/preview/` and `/run/`: what to do with the rows. */
export interface ImportOptions {
  mapping: ImportMapping;
  match_on: MatchOn;
  on_match: OnMatch;
  stage?: string | null;
  assigned_to?: string[] | null;
}

export interface ImportRowError {
  /** The row's number in the file (the header is row 1). */
  row: number;
  column: string;
  message: string;
}

export interface ImportPreview {
  rows_checked: number;
  /** False when the preview stopped before the end of the file (it has a time limit). */
  complete: boolean;
  total: number;
  would_create: number;
  would_update: number;
  would_skip: number;
  would_fail: number;
  /** The first errors, in row order. */
  errors: ImportRowError[];
}

/** `GET /api/imports/{uid}/`, and the 202 of the run. Before the run the status is `uploaded`
 * (the file waits for its mapping). */
export interface ImportState {
  uid: string;
  status: "uploaded" | ImportStatusName;
  file_name: string;
  columns: string[];
  total: number;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  /** The options of the run, once queued. */
  mapping: ImportMapping | null;
  match_on: string | null;
  on_match: string | null;
  stage: string | null;
  assigned_to: string[] | null;
  created_by: string | null;
  created_at: string;
  queued_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  /** Why the import failed, when it did. */
  error: string | null;
  /** The failed rows as CSV, with an `error` column. */
  errors_url: string;
}
