import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { User } from "../api/types";
import { AuthProvider } from "../app/auth";
import { queryKeys } from "../app/queries";
import * as build from "../test/builders";
import { ImportPage } from "./ImportPage";
import { importPreview, importState, importUpload } from "./builders";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  window.sessionStorage.clear();
});

const upload = importUpload({
  columns: ["Full name", "E-mail", "Budget"],
  sample_rows: [
    ["Ada Lovelace", "ada@example.com", "1200"],
    ["Grace Hopper", "grace@example.com", "oops"],
  ],
  suggested_mapping: { "Full name": "name", "E-mail": "email", Budget: "data.budget" },
});
const preview = importPreview();
const state = importState;

const me: User = {
  uid: "usr-me",
  username: "maria",
  display_name: "Maria Santos",
  email: null,
  role: "member",
  is_active: true,
  created_at: "2026-01-01T00:00:00Z",
};

type Handler = () => [number, unknown];

/** The API client answering `METHOD /path` from `routes`, in turn for a path asked several
 * times (the last answer repeats); anything else is a 404. Returns the calls made. */
function serve(routes: Record<string, Handler | Handler[]>) {
  const calls: { key: string; body: unknown }[] = [];
  const seen: Record<string, number> = {};
  const answer =
    (method: string) =>
    async (template: string, init?: { params?: { path?: { uid?: string } }; body?: unknown }) => {
      const key = `${method} ${template.replace("{uid}", init?.params?.path?.uid ?? "")}`;
      calls.push({ key, body: init?.body });
      const route = routes[key];
      if (!route) return build.reply(404, { error: { code: "not_found", message: key, fields: {}, details: null } });
      const handlers = Array.isArray(route) ? route : [route];
      const index = Math.min(seen[key] ?? 0, handlers.length - 1);
      seen[key] = index + 1;
      const [status, body] = handlers[index]!();
      return build.reply(status, body);
    };
  vi.spyOn(api, "GET").mockImplementation(answer("GET") as never);
  vi.spyOn(api, "POST").mockImplementation(answer("POST") as never);
  return calls;
}

function Where() {
  return <span data-testid="where">{useLocation().pathname}</span>;
}

function renderAt(path: string) {
  // The workflow seeded below stays fresh: only the import's own calls reach `fetch`.
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } },
  });
  client.setQueryData(
    queryKeys.config,
    build.config({ variables: [build.fieldDefinition({ field_key: "budget", label: "Budget" })] }),
  );
  client.setQueryData(queryKeys.stages, [build.stage("stage-new", { name: "New" })]);
  client.setQueryData(queryKeys.users, []);
  render(
    <QueryClientProvider client={client}>
      <AuthProvider user={me}>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path="/imports/:uid?" element={<ImportPage />} />
          </Routes>
          <Where />
        </MemoryRouter>
      </AuthProvider>
    </QueryClientProvider>,
  );
}

const file = new File(["Full name,E-mail\nAda,ada@example.com\n"], "leads.csv", { type: "text/csv" });

describe("the import wizard", () => {
  it("uploads a dropped file, puts its uid in the address and shows its columns with samples", async () => {
    const calls = serve({
      "POST /api/imports/": () => [201, upload],
      "GET /api/imports/imp-1/": () => [200, state({})],
    });
    renderAt("/imports");
    fireEvent.drop(screen.getByTestId("import-drop-zone"), { dataTransfer: { files: [file] } });

    await waitFor(() => expect(screen.getByTestId("where")).toHaveProperty("textContent", "/imports/imp-1"));
    const table = await screen.findByTestId("mapping-table");
    expect(within(table).getByText("grace@example.com")).toBeTruthy();
    const email = screen.getByLabelText("Import column E-mail as") as HTMLSelectElement;
    expect(email.value).toBe("email");
    expect((screen.getByLabelText("Import column Budget as") as HTMLSelectElement).value).toBe("data.budget");
    const sent = calls.find((call) => call.key === "POST /api/imports/")?.body;
    expect(sent).toBeInstanceOf(FormData);
    expect((sent as FormData).get("file")).toBe(file);
  });

  it("shows the server's refusal of a file too large", async () => {
    serve({
      "POST /api/imports/": () => [413, { error: { code: "file_too_large", message: "The file is over 50 MB." } }],
    });
    renderAt("/imports");
    fireEvent.change(screen.getByTestId("import-file"), { target: { files: [file] } });
    expect((await screen.findByTestId("import-upload-error")).textContent).toBe("The file is over 50 MB.");
    expect(screen.getByTestId("where").textContent).toBe("/imports");
  });

  it("runs only a previewed plan, and asks for another preview once the mapping changes", async () => {
    const calls = serve({
      "GET /api/imports/imp-1/": [
        () => [200, state({ columns: upload.columns })],
        () => [200, state({ status: "running", total: 1000, processed: 400 })],
      ],
      "POST /api/imports/imp-1/preview/": () => [200, preview],
      "POST /api/imports/imp-1/run/": () => [202, state({ status: "queued", total: 1000 })],
    });
    // A reload after the upload: the tab kept the upload's answer.
    window.sessionStorage.setItem("leadcrm.import.imp-1", JSON.stringify(upload));
    renderAt("/imports/imp-1");
    await screen.findByTestId("mapping-table");
    expect(screen.getByText("Grace Hopper")).toBeTruthy();
    const run = screen.getByTestId("import-run") as HTMLButtonElement;
    expect(run.disabled).toBe(true);

    fireEvent.click(screen.getByTestId("import-preview-button"));
    expect((await screen.findByTestId("preview-count-create")).textContent).toBe("997");
    expect(within(screen.getByTestId("preview-errors")).getByText("Enter a number.")).toBeTruthy();
    expect(run.disabled).toBe(false);
    expect(run.textContent).toBe("Import 997 rows");

    fireEvent.change(screen.getByLabelText("Import column Budget as"), { target: { value: "" } });
    expect(run.disabled).toBe(true);
    expect(screen.getByText(/preview again before importing/)).toBeTruthy();

    fireEvent.click(screen.getByTestId("import-preview-button"));
    await waitFor(() => expect(run.disabled).toBe(false));
    fireEvent.click(run);
    const bar = await screen.findByRole("progressbar");
    const sent = calls.filter((call) => call.key === "POST /api/imports/imp-1/run/").map((call) => call.body);
    expect(sent[0]).toMatchObject({
      mapping: { "Full name": "name", "E-mail": "email", Budget: null },
      match_on: "email",
      assigned_to: null,
    });
    await waitFor(() => expect(bar.getAttribute("aria-valuenow")).toBe("400"), { timeout: 3000 });
  });

  it("shows the server's refusal of a mapping on the row and the option it names, until the plan changes", async () => {
    serve({
      "GET /api/imports/imp-1/": () => [200, state({ columns: upload.columns })],
      "POST /api/imports/imp-1/preview/": () => [
        400,
        {
          error: {
            code: "validation_failed",
            message: "The import's options do not fit the file.",
            fields: {
              "mapping.Budget": ["name is filled by column Full name already"],
              match_on: ["matching on email needs a column mapped to it"],
            },
            details: null,
          },
        },
      ],
    });
    window.sessionStorage.setItem("leadcrm.import.imp-1", JSON.stringify(upload));
    renderAt("/imports/imp-1");
    const table = await screen.findByTestId("mapping-table");
    fireEvent.click(screen.getByTestId("import-preview-button"));

    const row = within(table).getByTestId("mapping-row-2");
    expect(await within(row).findByText("name is filled by column Full name already")).toBeTruthy();
    expect(screen.getByText("matching on email needs a column mapped to it")).toBeTruthy();
    expect((screen.getByTestId("import-run") as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(screen.getByLabelText("Import column Budget as"), { target: { value: "" } });
    expect(within(row).queryByText("name is filled by column Full name already")).toBeNull();
    expect(screen.queryByText("matching on email needs a column mapped to it")).toBeNull();
  });

  it("shows the columns, not imported yet, when opened where the upload was not made", async () => {
    serve({ "GET /api/imports/imp-1/": () => [200, state({ columns: upload.columns })] });
    renderAt("/imports/imp-1");
    await screen.findByTestId("mapping-table");
    expect((screen.getByLabelText("Import column E-mail as") as HTMLSelectElement).value).toBe("");
    expect((screen.getByTestId("import-preview-button") as HTMLButtonElement).disabled).toBe(true);
  });

  it("resumes a running import after a reload and follows it to the summary", async () => {
    serve({
      "GET /api/imports/imp-1/": [
        () => [200, state({ status: "running", total: 1000, processed: 250, created: 250 })],
        () => [200, state({ status: "done", total: 1000, processed: 1000, created: 997, failed: 3 })],
      ],
    });
    renderAt("/imports/imp-1");
    const bar = await screen.findByRole("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("250");
    expect(bar.getAttribute("aria-valuemax")).toBe("1000");
    expect(screen.getByTestId("import-progress-text").textContent).toContain("25%");

    const summary = await screen.findByTestId("import-summary", undefined, { timeout: 3000 });
    expect(within(summary).getByTestId("run-count-created").textContent).toBe("997");
    const errors = within(summary).getByTestId("import-errors-csv");
    expect(errors.getAttribute("href")).toBe("/api/imports/imp-1/errors.csv");
    expect(errors.hasAttribute("download")).toBe(true);
    expect(within(summary).getByTestId("import-leads-link").getAttribute("href")).toBe("/leads");
  });

  it("offers no errors download when every row went in", async () => {
    serve({ "GET /api/imports/imp-1/": () => [200, state({ status: "done", total: 5, processed: 5, created: 5 })] });
    renderAt("/imports/imp-1");
    await screen.findByTestId("import-summary");
    expect(screen.queryByTestId("import-errors-csv")).toBeNull();
  });

  it("says when no import lives at the address", async () => {
    serve({});
    renderAt("/imports/nope");
    expect(await screen.findByText(/No import lives at this address/)).toBeTruthy();
  });
});
