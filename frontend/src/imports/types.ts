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
  columns: string[];
  /** The first rows, each a list of cells in column order. */
  sample_rows: (string | null)[][];
  suggested_mapping: ImportMapping;
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
  column: string | null;
  message: string;
}

export interface ImportPreview {
  create: number;
  update: number;
  skip: number;
  error: number;
  errors: ImportRowError[];
}

/** `GET /api/imports/{uid}/`. Before the run the status is none of the run's four (the file is
 * uploaded, waiting for its mapping); the upload's columns come back with it so the page can
 * resume at the mapping after a reload. */
export interface ImportState extends Partial<Omit<ImportUpload, "uid">> {
  uid: string;
  status: ImportStatusName | (string & {});
  total: number;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}
