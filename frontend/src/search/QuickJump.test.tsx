import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes, useParams } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LeadHit } from "./api";
import { QuickJump } from "./QuickJump";

afterEach(cleanup);

function hit(uid: string, name: string): LeadHit {
  return { uid, name, company: "Acme", email: null, phone: null, current_stage: "stage-new", status: "open" };
}

function LeadPage() {
  const { uid } = useParams();
  return <p data-testid="lead-page">{uid}</p>;
}

function renderJump(search: (q: string) => Promise<LeadHit[]>) {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={["/"]}>
        <QuickJump search={search} />
        <Routes>
          <Route path="/" element={<p>home</p>} />
          <Route path="/leads/:uid" element={<LeadPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const HITS = [hit("LEAD-202611-00001", "Grace Hopper"), hit("LEAD-202611-00002", "Grace Kelly")];

describe("QuickJump", () => {
  it("opens on Ctrl-K, searches as you type, and Enter on the picked row opens the lead", async () => {
    const search = vi.fn(async () => HITS);
    renderJump(search);
    fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    const input = await screen.findByRole("combobox", { name: "Find a lead" });
    fireEvent.change(input, { target: { value: "gra" } });
    const options = await screen.findAllByRole("option");
    expect(options.map((option) => option.textContent)).toEqual([
      expect.stringContaining("Grace Hopper"),
      expect.stringContaining("Grace Kelly"),
    ]);
    expect(search).toHaveBeenCalledWith("gra");
    expect(options[0]?.getAttribute("aria-selected")).toBe("true");
    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(screen.getAllByRole("option")[1]?.getAttribute("aria-selected")).toBe("true");
    expect(input.getAttribute("aria-activedescendant")).toBe(screen.getAllByRole("option")[1]?.id);
    fireEvent.keyDown(input, { key: "Enter" });
    expect((await screen.findByTestId("lead-page")).textContent).toBe("LEAD-202611-00002");
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("waits for the answer to the last keystroke when Enter comes first", async () => {
    const search = vi.fn(async (q: string) => (q === "kel" ? [HITS[1] as LeadHit] : HITS));
    renderJump(search);
    fireEvent.click(screen.getByTestId("quick-jump-open"));
    const input = await screen.findByRole("combobox");
    fireEvent.change(input, { target: { value: "kel" } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect((await screen.findByTestId("lead-page")).textContent).toBe("LEAD-202611-00002");
  });

  it("closes on Escape without going anywhere", async () => {
    renderJump(vi.fn(async () => HITS));
    fireEvent.keyDown(window, { key: "K", metaKey: true });
    const input = await screen.findByRole("combobox");
    fireEvent.keyDown(input, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.getByText("home")).toBeTruthy();
  });

  it("says when nothing matches", async () => {
    renderJump(vi.fn(async () => []));
    fireEvent.click(screen.getByTestId("quick-jump-open"));
    fireEvent.change(await screen.findByRole("combobox"), { target: { value: "zzz" } });
    expect(await screen.findByText("No lead matches.")).toBeTruthy();
    expect(screen.queryAllByRole("option")).toEqual([]);
  });
});
