import { QueryClientProvider, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { Stage } from "../api/types";
import { meQueryKey } from "../app/auth";
import { queryKeys } from "../app/queries";
import * as build from "../test/builders";
import { useDeleteStage, useReorderStages, useUpdateConfig, useUpdateStage, useUpdateUser } from "./api";
import { refusal, reply, testQueryClient } from "./testUtils";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** A cache holding the stages, the board, the config, a lead and `me`, as the app would. */
function seeded(stages: Stage[]): QueryClient {
  const client = testQueryClient();
  client.setQueryData(queryKeys.stages, stages);
  client.setQueryData([...queryKeys.board, {}], { columns: [] });
  client.setQueryData(queryKeys.config, build.config());
  client.setQueryData([...queryKeys.leads, {}], { items: [] });
  client.setQueryData(queryKeys.lead("l1"), { uid: "l1" });
  client.setQueryData(meQueryKey, { uid: "me" });
  return client;
}

function hook<T>(use: () => T, client: QueryClient) {
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  return renderHook(use, { wrapper }).result;
}

const stale = (client: QueryClient, key: QueryKey) => client.getQueryState(key)?.isInvalidated ?? false;

const pipeline = ["a", "b", "c"].map((uid, order) => build.stage(uid, { order }));

describe("refreshing after a settings write", () => {
  it("puts a saved stage in place of the old one and makes the board refetch", async () => {
    const client = seeded(pipeline);
    vi.spyOn(api, "PATCH").mockResolvedValueOnce(reply(200, build.stage("b", { name: "Qualified", version: 2 })));
    const save = hook(useUpdateStage, client);
    await act(() => save.current.mutateAsync({ uid: "b", patch: { name: "Qualified", version: 1 } }));
    expect(client.getQueryData<Stage[]>(queryKeys.stages)?.map((s) => s.name)).toEqual(["a", "Qualified", "c"]);
    expect(stale(client, [...queryKeys.board, {}])).toBe(true);
    expect(stale(client, queryKeys.lead("l1"))).toBe(false);
  });

  it("refetches the config, the stages and the board after a version conflict", async () => {
    const client = seeded(pipeline);
    vi.spyOn(api, "PATCH").mockResolvedValueOnce(reply(409, refusal("version_conflict", "Changed meanwhile")));
    const save = hook(useUpdateConfig, client);
    await act(() => save.current.mutateAsync({ workflow_name: "Deals", version: 1 }).catch(() => undefined));
    expect(stale(client, queryKeys.config)).toBe(true);
    expect(stale(client, queryKeys.stages)).toBe(true);
    expect(stale(client, [...queryKeys.board, {}])).toBe(true);
  });

  it("leaves the cache alone after a refusal that is not a conflict", async () => {
    const client = seeded(pipeline);
    vi.spyOn(api, "PATCH").mockResolvedValueOnce(reply(400, refusal("invalid", "Bad name")));
    const save = hook(useUpdateConfig, client);
    await act(() => save.current.mutateAsync({ workflow_name: "", version: 1 }).catch(() => undefined));
    expect(stale(client, queryKeys.config)).toBe(false);
  });

  it("refreshes lead lists and lead pages when deleting a stage moved leads", async () => {
    const client = seeded(pipeline);
    vi.spyOn(api, "DELETE").mockResolvedValueOnce(reply(200, { deleted: "b", moved_leads: 2 }));
    const remove = hook(useDeleteStage, client);
    await act(() => remove.current.mutateAsync({ uid: "b", moveTo: "c" }));
    expect(client.getQueryData<Stage[]>(queryKeys.stages)?.map((s) => s.uid)).toEqual(["a", "c"]);
    expect(stale(client, [...queryKeys.leads, {}])).toBe(true);
    expect(stale(client, queryKeys.lead("l1"))).toBe(true);
  });

  it("refreshes who is signed in after a user change", async () => {
    const client = seeded(pipeline);
    vi.spyOn(api, "PATCH").mockResolvedValueOnce(reply(200, { uid: "me", username: "me", role: "viewer" }));
    const save = hook(useUpdateUser, client);
    await act(() => save.current.mutateAsync({ uid: "me", patch: { role: "viewer" } }));
    expect(stale(client, meQueryKey)).toBe(true);
    expect(stale(client, [...queryKeys.board, {}])).toBe(false);
  });
});

describe("reordering stages", () => {
  it("shows the new order at once and puts the old one back when the server refuses", async () => {
    const client = seeded(pipeline);
    let answer: (value: never) => void = () => undefined;
    vi.spyOn(api, "POST").mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const reorder = hook(useReorderStages, client);
    const order = () => client.getQueryData<Stage[]>(queryKeys.stages)?.map((s) => s.uid);
    act(() => reorder.current.mutate(["c", "a", "b"]));
    await waitFor(() => expect(order()).toEqual(["c", "a", "b"]));
    await act(async () => answer(reply(400, refusal("invalid", "Unknown stage"))));
    await waitFor(() => expect(reorder.current.isError).toBe(true));
    expect(order()).toEqual(["a", "b", "c"]);
    expect(stale(client, queryKeys.stages)).toBe(true);
  });
});
