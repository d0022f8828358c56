import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { Config } from "../api/types";
import * as build from "../test/builders";
import { FieldFormDialog } from "./FieldDialog";
import { LOCK_REASON } from "./fieldTypes";
import { refusal, renderWithProviders, reply } from "./testUtils";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

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

describe("field form", () => {
  it("offers only the inputs that fit the chosen type", () => {
    renderWithProviders(<FieldFormDialog config={config()} fieldKey={null} onClose={() => undefined} />);
    const form = screen.getByTestId("field-form");
    fireEvent.change(within(form).getByRole("combobox", { name: /^Type/ }), { target: { value: "select" } });
    const inputs = within(form).getByRole("combobox", { name: /^Input/ });
    expect(within(inputs).getAllByRole("option").map((o) => o.getAttribute("value"))).toEqual(["select", "radio"]);
    expect(screen.getByTestId("options-editor")).toBeTruthy();
  });

  it("suggests the key from the label for a new field", () => {
    renderWithProviders(<FieldFormDialog config={config()} fieldKey={null} onClose={() => undefined} />);
    fireEvent.change(screen.getByRole("textbox", { name: /^Label/ }), { target: { value: "Expected close date" } });
    expect(screen.getByRole<HTMLInputElement>("textbox", { name: /^Key/ }).value).toBe("expected_close_date");
  });

  it("keeps the type of an existing field fixed once the workflow is locked, saying why", () => {
    renderWithProviders(
      <FieldFormDialog config={config({ locked: true })} fieldKey="budget" onClose={() => undefined} />,
    );
    expect(screen.getByRole<HTMLSelectElement>("combobox", { name: /^Type/ }).disabled).toBe(true);
    expect(screen.getByText(`${LOCK_REASON}.`)).toBeTruthy();
  });

  it("saves the whole field list with the version and shows server errors on the input", async () => {
    const patch = vi
      .spyOn(api, "PATCH")
      .mockResolvedValueOnce(
        reply(400, refusal("invalid", "Invalid input: variables.1.pattern.", { fields: { "variables.1.pattern": ["bad pattern"] } })),
      );
    renderWithProviders(<FieldFormDialog config={config()} fieldKey={null} onClose={() => undefined} />);
    fireEvent.change(screen.getByRole("textbox", { name: /^Label/ }), { target: { value: "Code" } });
    fireEvent.submit(screen.getByTestId("field-form"));
    await screen.findByText("bad pattern");
    expect(patch).toHaveBeenCalledWith("/api/config/", {
      body: {
        variables: [
          expect.objectContaining({ field_key: "budget", order: 0 }),
          expect.objectContaining({ field_key: "code", label: "Code", order: 1 }),
        ],
        version: 4,
      },
    });
  });

  it("clears “Add at least one option” once an option is entered", () => {
    renderWithProviders(<FieldFormDialog config={config()} fieldKey={null} onClose={() => undefined} />);
    const form = screen.getByTestId("field-form");
    fireEvent.change(within(form).getByRole("textbox", { name: /^Label/ }), { target: { value: "Tier" } });
    fireEvent.change(within(form).getByRole("combobox", { name: /^Type/ }), { target: { value: "select" } });
    fireEvent.submit(form);
    expect(screen.getByText("Add at least one option")).toBeTruthy();
    fireEvent.click(screen.getByTestId("add-option"));
    expect(screen.queryByText("Add at least one option")).toBeNull();
  });
});
