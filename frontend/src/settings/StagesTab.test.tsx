import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { Stage } from "../api/types";
import * as build from "../test/builders";
import { StagesTab } from "./StagesTab";
import { refusal, renderWithProviders, reply } from "./testUtils";

let stages: Stage[] = [];

beforeEach(() => {
  stages = [
    build.stage("new", { name: "New", allowed_next_stages: ["contacted"] }),
    build.stage("contacted", { name: "Contacted", order: 1, version: 5 }),
  ];
  // What the server holds now, after a network's delay: the tab refetches after every write,
  // and the screen must not depend on the refetch being instant.
  vi.spyOn(api, "GET").mockImplementation(async (path: string) => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return reply(200, path === "/api/stages/" ? stages : build.config());
  });
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("the stages tab", () => {
  it("sends only what an edit changed, with the version read", async () => {
    const patch = vi.spyOn(api, "PATCH").mockImplementation(() => {
      stages = stages.map((s) => (s.uid === "contacted" ? { ...s, name: "Reached", version: 6 } : s));
      return Promise.resolve(reply(200, stages[1]));
    });
    renderWithProviders(<StagesTab />);
    fireEvent.click(await screen.findByTestId("edit-stage-contacted"));
    const form = screen.getByTestId("stage-form");
    fireEvent.change(within(form).getByRole("textbox", { name: /^Name/ }), { target: { value: "Reached" } });
    fireEvent.submit(form);
    expect(await screen.findByText("Stage “Reached” saved.")).toBeTruthy();
    expect(patch).toHaveBeenCalledWith("/api/stages/{uid}/", {
      params: { path: { uid: "contacted" } },
      body: { name: "Reached", version: 5 },
    });
    await waitFor(() => expect(screen.queryByTestId("stage-form")).toBeNull());
  });

  it("tells the admin to reopen the form when someone else changed the stage", async () => {
    vi.spyOn(api, "PATCH").mockResolvedValueOnce(reply(409, refusal("version_conflict", "Changed meanwhile")));
    renderWithProviders(<StagesTab />);
    fireEvent.click(await screen.findByTestId("edit-stage-contacted"));
    const form = screen.getByTestId("stage-form");
    fireEvent.change(within(form).getByRole("textbox", { name: /^Name/ }), { target: { value: "Reached" } });
    fireEvent.submit(form);
    expect(await screen.findByText(/Someone changed this stage while you were editing it/)).toBeTruthy();
  });

  it("confirms a deletion once the stage has left the list", async () => {
    vi.spyOn(api, "DELETE").mockImplementation(() => {
      stages = stages.filter((s) => s.uid !== "contacted");
      return Promise.resolve(reply(200, { deleted: "contacted", moved_leads: 0 }));
    });
    renderWithProviders(<StagesTab />);
    fireEvent.click(await screen.findByTestId("delete-stage-contacted"));
    fireEvent.click(screen.getByTestId("confirm-delete-stage"));
    expect(await screen.findByText("Stage “Contacted” deleted.")).toBeTruthy();
    expect(screen.queryByTestId("stage-row-contacted")).toBeNull();
    await waitFor(() => expect(screen.queryByTestId("delete-stage-dialog")).toBeNull());
  });
});
