// Names for the import API's generated types, so the wizard reads `ImportState`, not
// `Schemas["ImportOut"]`.
import type { Schemas } from "../api/client";

export type MatchOn = Schemas["MatchOnEnum"];
export type OnMatch = Schemas["OnMatchEnum"];

/** Where a column's values go: a core field, `data.<field_key>`, stage, assignees or tags;
 * null: the column is not imported. */
export type ImportTarget = string | null;
export type ImportMapping = Record<string, ImportTarget>;

/** `POST /api/imports/`: the file is stored and read once for its header and first rows. */
export type ImportUpload = Schemas["ImportUploadOut"];
/** The body of the preview and of the run: the mapping, the matching, the defaults. */
export type ImportOptions = Schemas["ImportOptionsRequest"];
/** What the run would do, counted on the file (or as much of it as the preview had time for). */
export type ImportPreview = Schemas["ImportPreviewOut"];
export type ImportRowError = Schemas["RowErrorOut"];
/** `GET /api/imports/{uid}/`, and the 202 of the run; `uploaded` until the run is asked for. */
export type ImportState = Schemas["ImportOut"];
