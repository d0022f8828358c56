import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { Lead } from "../api/types";
import * as build from "../test/builders";
import { ToastProvider } from "../ui/toast";
import { TransitionBar } from "./TransitionBar";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const stages = ["new", "contacted", "qualified", "won", "lost"].map((uid, order) =>
  build.stage(uid, { name: uid.replace(/^./, (letter) => letter.toUpperCase()), order }),
);
const industry = build.fieldDefinition({
  field_key: "industry",
  label: "Industry",
  field_type: "select",
  options: [{ value: "saas", label: "SaaS" }],
});

const lostReasons = [
  { value: "no_budget", label: "No budget" },
  { value: "competitor", label: "Went with a competitor" },
];
const askReason = build.reason("lost_reason_required", { message: "Say why the lead was lost." });

function renderBar(lead: Lead) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <ToastProvider>
          <TransitionBar lead={lead} stages={stages} definitions={[industry]} lostReasons={lostReasons} />
        </ToastProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const button = (stage: string) => screen.getByTestId(`transition-${stage}`);

describe("TransitionBar", () => {
  it("offers a button per move: open, asking for fields, or disabled with the server's reason", () => {
    renderBar(
      build.lead({
        moves: [
          build.move("contacted"),
          build.fieldsMove("qualified", [["industry", "Industry"]]),
          build.move("won", [build.reason("not_allowed", { message: "New cannot move to Won (allowed: Contacted)." })]),
        ],
      }),
    );
    expect([...screen.getAllByRole("button")].map((b) => b.textContent)).toEqual(["Contacted", "Qualified", "Won"]);
    expect(button("contacted")).toHaveProperty("disabled", false);
    expect(button("qualified")).toHaveProperty("disabled", false);
    expect(screen.getByText("needs Industry")).toBeTruthy();
    expect(button("won")).toHaveProperty("disabled", true);
    expect(button("won").getAttribute("title")).toBe("New cannot move to Won (allowed: Contacted).");
    expect(button("won").getAttribute("data-move-state")).toBe("refused");
  });

  it("opens the fields form for a move that only lacks fields, sending nothing yet", () => {
    const post = vi.spyOn(api, "POST");
    renderBar(build.lead({ moves: [build.fieldsMove("qualified", [["industry", "Industry"]])] }));
    fireEvent.click(button("qualified"));
    expect(screen.getByTestId("move-fields-form")).toBeTruthy();
    expect(screen.getByLabelText(/Industry/)).toBeTruthy();
    expect(post).not.toHaveBeenCalled();
  });

  it("names the blocking tasks the server sends and disables the moves they block", () => {
    const blocking = build.reason("blocking_tasks", {
      message: "Complete the required tasks first: Call the lead.",
      tasks: [{ uid: "t1", title: "Call the lead" }],
    });
    renderBar(build.lead({ moves: [build.move("contacted", [blocking]), build.move("lost")] }));
    expect(button("contacted")).toHaveProperty("disabled", true);
    expect(button("lost")).toHaveProperty("disabled", false);
    expect(screen.getByTestId("move-blocked").textContent).toContain("Call the lead");
  });

  it("lets a closed lead make the moves the server allows, and says why the others are closed", () => {
    const reopen = build.reason("reopen_requires_admin", { message: "Only an admin can reopen a closed lead." });
    renderBar(
      build.lead({
        status: "won",
        current_stage: "won",
        moves: [build.move("new", [reopen]), build.move("contacted", [reopen]), build.move("lost")],
      }),
    );
    expect(button("new")).toHaveProperty("disabled", true);
    expect(button("lost")).toHaveProperty("disabled", false);
    expect(screen.getAllByTestId("move-note").map((note) => note.textContent)).toEqual([
      "Only an admin can reopen a closed lead.",
    ]);
  });

  it("moves with the lead's version and reports the server's refusal", async () => {
    const refusal = {
      error: {
        code: "transition_not_allowed",
        message: "New cannot move to Contacted (allowed: Lost).",
        fields: {},
        details: { reason: "not_allowed", reasons: [build.reason("not_allowed")] },
      },
    };
    const post = vi.spyOn(api, "POST").mockResolvedValue(build.reply(409, refusal));
    renderBar(build.lead({ version: 7, moves: [build.move("contacted")] }));
    fireEvent.click(button("contacted"));
    await screen.findByText("New cannot move to Contacted (allowed: Lost).");
    expect(post).toHaveBeenCalledWith("/api/leads/{uid}/transition/", {
      params: { path: { uid: "LEAD-202611-00001" } },
      body: { to_stage: "contacted", note: null, data: null, lost_reason: null, lost_note: null, version: 7 },
    });
    await waitFor(() => expect(button("contacted")).toHaveProperty("disabled", false));
  });

  it("asks why the lead was lost and sends the reason with the move, in one request", async () => {
    const moved = build.lead({ version: 8, current_stage: "lost", status: "lost", can_undo: true });
    const post = vi.spyOn(api, "POST").mockResolvedValue(build.reply(200, moved));
    renderBar(build.lead({ version: 7, moves: [build.move("lost", [askReason])] }));
    expect(button("lost").getAttribute("data-move-state")).toBe("fields");
    fireEvent.click(button("lost"));
    expect(screen.getByTestId("move-ask-intro").textContent).toBe("To move Ada to Lost, say why it was lost:");
    fireEvent.click(screen.getByTestId("confirm-move"));
    expect(await screen.findByText("Choose why the lead was lost")).toBeTruthy();
    expect(post).not.toHaveBeenCalled();
    fireEvent.change(screen.getByTestId("lost-reason-select"), { target: { value: "competitor" } });
    fireEvent.change(screen.getByTestId("lost-note"), { target: { value: "Cheaper elsewhere" } });
    fireEvent.click(screen.getByTestId("confirm-move"));
    await screen.findByTestId("undo-move");
    expect(post).toHaveBeenCalledTimes(1);
    expect(post).toHaveBeenCalledWith("/api/leads/{uid}/transition/", {
      params: { path: { uid: "LEAD-202611-00001" } },
      body: {
        to_stage: "lost",
        note: null,
        data: null,
        lost_reason: "competitor",
        lost_note: "Cheaper elsewhere",
        version: 7,
      },
    });
  });

  it("offers Undo after a move and sends the version the move answered with", async () => {
    const moved = build.lead({ version: 8, current_stage: "contacted", can_undo: true });
    const post = vi.spyOn(api, "POST").mockResolvedValue(build.reply(200, moved));
    renderBar(build.lead({ version: 7, moves: [build.move("contacted")] }));
    fireEvent.click(button("contacted"));
    fireEvent.click(await screen.findByTestId("undo-move"));
    await waitFor(() =>
      expect(post).toHaveBeenLastCalledWith("/api/leads/{uid}/undo/", {
        params: { path: { uid: "LEAD-202611-00001" } },
        body: { version: 8 },
      }),
    );
  });

  it("shows the server's sentence when the move can no longer be undone", async () => {
    const moved = build.lead({ version: 8, current_stage: "contacted", can_undo: true });
    const refusal = { error: { code: "undo_not_available", message: "Someone changed the lead since.", fields: {} } };
    vi.spyOn(api, "POST")
      .mockResolvedValueOnce(build.reply(200, moved))
      .mockResolvedValueOnce(build.reply(409, refusal));
    renderBar(build.lead({ version: 7, moves: [build.move("contacted")] }));
    fireEvent.click(button("contacted"));
    fireEvent.click(await screen.findByTestId("undo-move"));
    expect(await screen.findByText("Someone changed the lead since.")).toBeTruthy();
  });

  it("offers “Undo last move” only while the server says the reader may", () => {
    renderBar(build.lead({ can_undo: true, moves: [build.move("contacted")] }));
    expect(screen.getByTestId("undo-last-move")).toBeTruthy();
    cleanup();
    renderBar(build.lead({ can_undo: false, moves: [build.move("contacted")] }));
    expect(screen.queryByTestId("undo-last-move")).toBeNull();
  });
});
