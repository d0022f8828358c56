// Import shapes for the tests, as the server sends them. Test files only.
import type { ImportPreview, ImportState, ImportUpload } from "./types";

const AT = "2026-11-30T12:00:00Z";

export function importUpload(overrides: Partial<ImportUpload> = {}): ImportUpload {
  return {
    uid: "imp-1",
    file_name: "leads.csv",
    columns: ["Full name", "E-mail", "Budget", "Notes"],
    sample_rows: [
      ["Ada", "ada@example.com", "", "x"],
      ["Grace", "", "1200", ""],
      ["Linus", "linus@example.com", "90", "y"],
      ["Ken", "ken@example.com", "7", "z"],
    ],
    suggested_mapping: { "Full name": "name", "E-mail": "email", Budget: "data.budget", Notes: null },
    total: 4,
    ...overrides,
  };
}

export function importState(overrides: Partial<ImportState> = {}): ImportState {
  return {
    uid: "imp-1",
    status: "uploaded",
    file_name: "leads.csv",
    columns: ["Full name", "E-mail", "Budget", "Notes"],
    sample_rows: [],
    suggested_mapping: {},
    total: 0,
    processed: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    mapping: null,
    match_on: null,
    on_match: null,
    stage: null,
    assigned_to: null,
    created_by: "usr-me",
    created_at: AT,
    queued_at: null,
    started_at: null,
    finished_at: null,
    error: null,
    errors_url: "http://testserver/api/imports/imp-1/errors.csv",
    ...overrides,
  };
}

export function importPreview(overrides: Partial<ImportPreview> = {}): ImportPreview {
  return {
    rows_checked: 1000,
    complete: true,
    total: 1000,
    would_create: 997,
    would_update: 0,
    would_skip: 0,
    would_fail: 3,
    errors: [{ row: 3, column: "Budget", message: "Enter a number." }],
    ...overrides,
  };
}
