import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Lead } from "../api/types";
import * as build from "../test/builders";
import { ToastProvider } from "../ui/toast";
import { QuickAdd } from "./QuickAdd";

afterEach(cleanup);

const budget = build.fieldDefinition({ field_key: "budget", label: "Budget", field_type: "integer", required: true });
const note = build.fieldDefinition({ field_key: "note", label: "Note" });

function renderQuickAdd(onCreate: (name: string, data: Record<string, unknown> | undefined) => Promise<Lead>) {
  render(
    <MemoryRouter>
      <ToastProvider>
        <QuickAdd variables={[note, budget]} onCreate={onCreate} />
      </ToastProvider>
    </MemoryRouter>,
  );
}

describe("QuickAdd", () => {
  it("asks for the config's required fields before sending anything", async () => {
    const onCreate = vi.fn(async (name: string) => build.lead({ name }));
    renderQuickAdd(onCreate);
    const input = screen.getByTestId("quick-add-input");
    fireEvent.change(input, { target: { value: "Ada" } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(await screen.findByLabelText(/Budget/)).toBeTruthy();
    expect(screen.queryByLabelText(/^Note/)).toBeNull();
    expect(onCreate).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText(/Budget/), { target: { value: "5000" } });
    fireEvent.submit(screen.getByLabelText(/Budget/).closest("form") as HTMLFormElement);
    await waitFor(() => expect(onCreate).toHaveBeenCalledWith("Ada", { budget: 5000 }));
  });
});
