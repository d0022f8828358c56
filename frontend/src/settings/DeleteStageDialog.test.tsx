import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import * as build from "../test/builders";
import { DeleteStageDialog } from "./DeleteStageDialog";
import { refusal, renderWithProviders, reply } from "./testUtils";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("deleting a stage", () => {
  const fresh = build.stage("new", { name: "New" });
  const contacted = build.stage("contacted", { name: "Contacted" });
  const stages = [fresh, contacted, build.stage("won", { name: "Won" })];

  it("asks where the leads go when the stage holds some, then moves them", async () => {
    const remove = vi
      .spyOn(api, "DELETE")
      .mockResolvedValueOnce(
        reply(409, refusal("stage_in_use", "3 lead(s) are in this stage", { details: { lead_count: 3 } })),
      )
      .mockResolvedValueOnce(reply(200, { deleted: "contacted", moved_leads: 3 }));
    const onClose = vi.fn();
    renderWithProviders(<DeleteStageDialog stage={contacted} stages={stages} onClose={onClose} />);
    fireEvent.click(screen.getByTestId("confirm-delete-stage"));
    const select = await screen.findByTestId("move-to-select");
    expect(screen.getByText("Move 3 leads to:")).toBeTruthy();
    fireEvent.change(select, { target: { value: "won" } });
    fireEvent.click(screen.getByTestId("confirm-delete-stage"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(remove.mock.calls[1]?.[1]).toMatchObject({ params: { path: { uid: "contacted" }, query: { move_to: "won" } } });
    expect(await screen.findByText("Stage “Contacted” deleted; 3 lead(s) moved to Won.")).toBeTruthy();
  });

  it("shows the server's reason when the stage may not be deleted", async () => {
    vi.spyOn(api, "DELETE").mockResolvedValueOnce(
      reply(409, refusal("conflict", "This is the initial stage: choose another initial stage before deleting it.")),
    );
    renderWithProviders(<DeleteStageDialog stage={fresh} stages={stages} onClose={() => undefined} />);
    fireEvent.click(screen.getByTestId("confirm-delete-stage"));
    expect(await screen.findByText(/This is the initial stage/)).toBeTruthy();
  });
});
