import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { Config, FieldDefinition, Stage } from "../api/types";
import * as build from "../test/builders";
import { ToastProvider } from "../ui/toast";
import { FieldFormDialog } from "./FieldDialog";
import { LOCK_REASON } from "./logic";
import { DeleteStageDialog } from "./StageDialogs";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <ToastProvider>{children}</ToastProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

/** What openapi-fetch resolves to, for a given status and JSON body. */
function reply(status: number, body: unknown) {
  const ok = status < 400;
  // The client's result type is a union per operation; tests only need its runtime shape.
  return {
    data: ok ? body : undefined,
    error: ok ? undefined : body,
    response: new Response(null, { status }),
  } as never;
}

const budget = build.fieldDefinition({
  field_key: "budget",
  label: "Budget",
  field_type: "currency",
  input_type: "number",
  min: 0,
});

function config(overrides: Partial<Config> = {}): Config {
  return build.config({ variables: [budget], version: 4, ...overrides });
}

function stage(uid: string, name: string): Stage {
  return build.stage(uid, { name });
}

describe("field form", () => {
  it("offers only the inputs that fit the chosen type", () => {
    wrap(<FieldFormDialog config={config()} fieldKey={null} onClose={() => undefined} />);
    const form = screen.getByTestId("field-form");
    fireEvent.change(within(form).getByRole("combobox", { name: /^Type/ }), { target: { value: "select" } });
    const inputs = within(form).getByRole("combobox", { name: /^Input/ });
    expect(within(inputs).getAllByRole("option").map((o) => o.getAttribute("value"))).toEqual(["select", "radio"]);
    expect(screen.getByTestId("options-editor")).toBeTruthy();
  });

  it("suggests the key from the label for a new field", () => {
    wrap(<FieldFormDialog config={config()} fieldKey={null} onClose={() => undefined} />);
    fireEvent.change(screen.getByRole("textbox", { name: /^Label/ }), { target: { value: "Expected close date" } });
    expect((screen.getByRole("textbox", { name: /^Key/ }) as HTMLInputElement).value).toBe("expected_close_date");
  });

  it("keeps the type of an existing field fixed once the workflow is locked, saying why", () => {
    wrap(<FieldFormDialog config={config({ locked: true })} fieldKey="budget" onClose={() => undefined} />);
    const type = screen.getByRole("combobox", { name: /^Type/ }) as HTMLSelectElement;
    expect(type.disabled).toBe(true);
    expect(screen.getByText(`${LOCK_REASON}.`)).toBeTruthy();
  });

  it("saves the whole field list with the version and shows server errors on the input", async () => {
    const patch = vi.spyOn(api, "PATCH").mockResolvedValueOnce(
      reply(400, {
        error: { code: "invalid", message: "Invalid input: variables.1.pattern.", fields: { "variables.1.pattern": ["bad pattern"] } },
      }),
    );
    wrap(<FieldFormDialog config={config()} fieldKey={null} onClose={() => undefined} />);
    fireEvent.change(screen.getByRole("textbox", { name: /^Label/ }), { target: { value: "Code" } });
    fireEvent.submit(screen.getByTestId("field-form"));
    await screen.findByText("bad pattern");
    const sent = patch.mock.calls[0]?.[1] as unknown as { body: { variables: FieldDefinition[]; version: number } };
    const body = sent.body;
    expect(body.version).toBe(4);
    expect(body.variables.map((f) => f.field_key)).toEqual(["budget", "code"]);
  });
});

describe("deleting a stage", () => {
  const stages = [stage("new", "New"), stage("contacted", "Contacted"), stage("won", "Won")];

  it("asks where the leads go when the stage holds some, then moves them", async () => {
    const remove = vi
      .spyOn(api, "DELETE")
      .mockResolvedValueOnce(
        reply(409, { error: { code: "stage_in_use", message: "3 lead(s) are in this stage", fields: {}, details: { lead_count: 3 } } }),
      )
      .mockResolvedValueOnce(reply(200, { deleted: "contacted", moved_leads: 3 }));
    const onClose = vi.fn();
    wrap(<DeleteStageDialog stage={stages[1] as Stage} stages={stages} onClose={onClose} />);
    fireEvent.click(screen.getByTestId("confirm-delete-stage"));
    const select = await screen.findByTestId("move-to-select");
    expect(screen.getByText("Move 3 leads to:")).toBeTruthy();
    fireEvent.change(select, { target: { value: "won" } });
    fireEvent.click(screen.getByTestId("confirm-delete-stage"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(remove.mock.calls[1]?.[1]).toMatchObject({ params: { path: { uid: "contacted" }, query: { move_to: "won" } } });
  });

  it("shows the server's reason when the stage may not be deleted", async () => {
    vi.spyOn(api, "DELETE").mockResolvedValueOnce(
      reply(409, { error: { code: "conflict", message: "This is the initial stage: choose another initial stage before deleting it.", fields: {} } }),
    );
    wrap(<DeleteStageDialog stage={stages[0] as Stage} stages={stages} onClose={() => undefined} />);
    fireEvent.click(screen.getByTestId("confirm-delete-stage"));
    expect(await screen.findByText(/This is the initial stage/)).toBeTruthy();
  });
});
