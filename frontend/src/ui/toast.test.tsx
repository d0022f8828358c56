import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ToastProvider, useToast } from "./toast";

function Trigger({ message, toastKey }: { message: string; toastKey?: string }) {
  const toast = useToast();
  return (
    <button type="button" onClick={() => toast(message, "info", toastKey ? { key: toastKey } : {})}>
      {message}
    </button>
  );
}

describe("toasts", () => {
  afterEach(cleanup);

  it("a toast with the same key takes the place of the earlier one", () => {
    render(
      <ToastProvider>
        <Trigger message="moved to Contacted" toastKey="undo-LEAD-1" />
        <Trigger message="moved to Qualified" toastKey="undo-LEAD-1" />
        <Trigger message="other lead moved" toastKey="undo-LEAD-2" />
      </ToastProvider>,
    );

    for (const name of ["moved to Contacted", "moved to Qualified", "other lead moved"]) {
      act(() => screen.getByRole("button", { name }).click());
    }

    const shown = screen.getAllByTestId("toast").map((toast) => toast.textContent ?? "");
    expect(shown).toHaveLength(2);
    expect(shown.some((text) => text.includes("moved to Contacted"))).toBe(false);
    expect(shown.some((text) => text.includes("moved to Qualified"))).toBe(true);
  });

  it("toasts without a key stack", () => {
    render(
      <ToastProvider>
        <Trigger message="saved" />
      </ToastProvider>,
    );

    act(() => screen.getByRole("button", { name: "saved" }).click());
    act(() => screen.getByRole("button", { name: "saved" }).click());

    expect(screen.getAllByTestId("toast")).toHaveLength(2);
  });
});
