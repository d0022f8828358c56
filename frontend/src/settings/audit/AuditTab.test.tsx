import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import type { AuditEntry } from "../../api/types";
import { renderWithProviders, reply } from "../testUtils";
import { AuditTab } from "./AuditTab";
import { agentLabel, changeLines } from "./format";

function entry(uid: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    uid,
    at: "2026-11-30T12:00:00Z",
    action: "stage.updated",
    actor_uid: "usr-ada",
    actor_username: "ada",
    target: "stage-new",
    summary: "Changed the stage 'Fresh': name",
    changes: { name: { old: "New", new: "Fresh" } },
    address: "192.0.2.44",
    user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    repeats: 1,
    ...extra,
  };
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

type Query = { action?: string; cursor?: string; limit?: string };
const queryOf = (call: unknown) => (call as [string, { params: { query: Query } }])[1].params.query;

describe("the audit log tab", () => {
  it("shows when, who, what, the target and where from", async () => {
    vi.spyOn(api, "GET").mockResolvedValue(
      reply(200, { results: [entry("a2")], next: null, next_cursor: null }),
    );
    renderWithProviders(<AuditTab />);

    const row = await screen.findByTestId("audit-row");
    expect(within(row).getByText("ada")).toBeTruthy();
    expect(within(row).getByText("Stage changed")).toBeTruthy();
    expect(within(row).getByText("name: New → Fresh")).toBeTruthy();
    expect(within(row).getByText("stage-new")).toBeTruthy();
    expect(within(row).getByText("192.0.2.44")).toBeTruthy();
    expect(within(row).getByText("Chrome")).toBeTruthy();
    expect(row.querySelector("time")?.getAttribute("dateTime")).toBe("2026-11-30T12:00:00Z");
    expect(screen.queryByTestId("audit-load-more")).toBeNull();
  });

  it("says a failed sign-in's name is only the username tried, and counts refusals", async () => {
    vi.spyOn(api, "GET").mockResolvedValue(
      reply(200, {
        results: [
          entry("a1", {
            action: "auth.sign_in_throttled",
            actor_uid: null,
            actor_username: "mallory",
            target: null,
            changes: {},
            repeats: 37,
          }),
        ],
        next: null,
        next_cursor: null,
      }),
    );
    renderWithProviders(<AuditTab />);

    const row = await screen.findByTestId("audit-row");
    expect(within(row).getByText("username tried")).toBeTruthy();
    expect(within(row).getByText("Sign-in refused")).toBeTruthy();
    expect(within(row).getByText("×37")).toBeTruthy();
  });

  it("loads older entries with the server's cursor, and asks again when the kind changes", async () => {
    const get = vi.spyOn(api, "GET").mockImplementation(async (_path: string, init?: unknown) => {
      const query = (init as { params: { query: Query } }).params.query;
      if (query.cursor === "c1") return reply(200, { results: [entry("a1", { summary: "older" })], next: null, next_cursor: null });
      return reply(200, { results: [entry("a2", { summary: "newer" })], next: "/api/audit/?cursor=c1", next_cursor: "c1" });
    });
    renderWithProviders(<AuditTab />);

    fireEvent.click(await screen.findByTestId("audit-load-more"));

    expect(await screen.findByText("older")).toBeTruthy();
    expect(screen.getAllByTestId("audit-row").map((row) => row.textContent)).toEqual([
      expect.stringContaining("newer"),
      expect.stringContaining("older"),
    ]);
    expect(queryOf(get.mock.calls[1])).toEqual({ limit: 50, cursor: "c1" });
    await waitFor(() => expect(screen.queryByTestId("audit-load-more")).toBeNull());

    fireEvent.change(screen.getByTestId("audit-kind"), { target: { value: "auth" } });

    await waitFor(() => expect(get).toHaveBeenCalledTimes(3));
    expect(queryOf(get.mock.calls[2])).toEqual({ limit: 50, action: "auth." });
  });
});

describe("audit wording", () => {
  it("reads a first value without an arrow and lists as their keys", () => {
    expect(
      changeLines(
        entry("x", {
          changes: { name: { old: null, new: "Demo" }, lost_reasons: { old: ["price", "timing"], new: [] } },
        }),
      ),
    ).toEqual(["name: Demo", "lost reasons: price, timing → none"]);
  });

  it("names the browser, not the engine every agent mentions", () => {
    expect(agentLabel("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126 Safari/537.36 Edg/126")).toBe("Edge");
    expect(agentLabel("Mozilla/5.0 (X11; Linux) AppleWebKit/537.36 HeadlessChrome/126 Safari/537.36")).toBe("HeadlessChrome");
    expect(agentLabel("curl/8.5.0")).toBe("curl");
    expect(agentLabel(null)).toBeNull();
  });
});
