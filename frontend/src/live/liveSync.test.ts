import { QueryClient, QueryObserver, type QueryKey } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Board, LeadPage } from "../api/types";
import { meQueryKey } from "../app/auth";
import { queryKeys } from "../app/queries";
import * as build from "../test/builders";
import { FakeEventSource, connectFake, moved } from "./fakeEventSource";
import { BATCH_MS, GATHER_MS, LiveSync, type LiveStatus } from "./liveSync";

const SAM = { uid: "u-sam", name: "Sam" };

const boardOf = (version: number, uid = "L1"): Board =>
  build.board([build.column("new", [build.card(uid, { version })]), build.column("qualified")]);
const unfiltered = [...queryKeys.board, {}] as const;
const mine = [...queryKeys.board, { assigned_to: "me" }] as const;
const listKey = [...queryKeys.leads, { page: 1 }] as const;
const listOf = (version: number): LeadPage =>
  ({ results: [{ uid: "L1", version }], next: null, previous: null }) as unknown as LeadPage;

let client: QueryClient;
let sync: LiveSync;
let statuses: LiveStatus[];
const unsubscribers: (() => void)[] = [];

/** A query on screen (an observer), holding `data`; counts the loads its invalidation causes. */
function shown<T>(queryKey: QueryKey, data: T) {
  const loads = { count: 0 };
  client.setQueryData(queryKey, data);
  const observer = new QueryObserver(client, {
    queryKey,
    queryFn: () => {
      loads.count += 1;
      return Promise.resolve(data);
    },
    staleTime: Infinity,
  });
  unsubscribers.push(observer.subscribe(() => undefined));
  return loads;
}

async function afterBatch() {
  await vi.advanceTimersByTimeAsync(BATCH_MS + 10);
}

function started(): FakeEventSource {
  sync.start();
  const source = FakeEventSource.latest();
  source.open(10);
  return source;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.reset();
  client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
  statuses = [];
  sync = new LiveSync({ queryClient: client, connect: connectFake, onStatus: (s) => statuses.push(s) });
});

afterEach(() => {
  sync.stop();
  unsubscribers.splice(0).forEach((unsubscribe) => unsubscribe());
  client.clear();
  vi.useRealTimers();
});

describe("events from the stream", () => {
  it("a move by someone else reloads every board shown, the moved lead's page and the list", async () => {
    const board = shown(unfiltered, boardOf(3));
    const myBoard = shown(mine, boardOf(3));
    const lead = shown(queryKeys.lead("L1"), build.lead({ uid: "L1", version: 3 }));
    const list = shown(listKey, listOf(3));
    const source = started();

    source.send("lead.moved", moved("L1", 4, SAM));
    await vi.advanceTimersByTimeAsync(GATHER_MS + 5);

    expect([board.count, myBoard.count, lead.count, list.count]).toEqual([1, 1, 1, 1]);
  });

  it("events right after a round of reloads wait for the window to end, then reload once", async () => {
    const board = shown(unfiltered, boardOf(1));
    const source = started();

    source.send("lead.moved", moved("L1", 2, SAM));
    await vi.advanceTimersByTimeAsync(GATHER_MS + 5);
    expect(board.count).toBe(1);
    source.send("lead.moved", moved("L1", 3, SAM));
    source.send("lead.moved", moved("L1", 4, SAM));
    await vi.advanceTimersByTimeAsync(GATHER_MS + 5);
    expect(board.count).toBe(1);

    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(board.count).toBe(2);
  });

  it("a burst of fifty events makes one board load", async () => {
    const board = shown(unfiltered, boardOf(1));
    const source = started();

    for (let n = 1; n <= 50; n += 1) source.send("lead.moved", moved(`L${n}`, 2, SAM), 10 + n);
    await afterBatch();
    await afterBatch();

    expect(board.count).toBe(1);
    expect(sync.lastSeq).toBe(60);
  });

  it("a move the screen already shows (this user's own) reloads only the board, for its totals", async () => {
    const board = shown(unfiltered, boardOf(4));
    const lead = shown(queryKeys.lead("L1"), build.lead({ uid: "L1", version: 4 }));
    const list = shown(listKey, listOf(4));
    const source = started();

    source.send("lead.moved", moved("L1", 4, { uid: "u-me", name: "Me" }));
    await vi.advanceTimersByTimeAsync(GATHER_MS + 5);

    // Within a batch's gathering of the event: the mover's totals are right within ~1 s.
    expect([board.count, lead.count, list.count]).toEqual([1, 0, 0]);
  });

  it("this user's own create and delete reload the board's totals too", async () => {
    const board = shown(unfiltered, boardOf(1));
    const source = started();

    source.send("lead.created", { ...moved("L1", 1, null), kind: "lead.created", from_stage: null, to_stage: "new" });
    await afterBatch();
    expect(board.count).toBe(1);

    source.send("lead.deleted", { ...moved("L1", 1, null), kind: "lead.deleted", to_stage: null }, 2);
    await afterBatch();
    expect(board.count).toBe(2);
  });

  it("an edit the screen already shows reloads the board only when it changes the value or status", async () => {
    const board = shown(unfiltered, { ...boardOf(4), value_field: "budget" });
    const source = started();
    const edit = (version: number, fields: string[]) => ({
      ...moved("L1", version, null),
      kind: "lead.updated",
      from_stage: null,
      to_stage: null,
      fields,
    });

    source.send("lead.updated", edit(4, ["company", "data.industry"]));
    await afterBatch();
    expect(board.count).toBe(0);

    source.send("lead.updated", edit(4, ["data.budget"]), 2);
    await afterBatch();
    source.send("lead.updated", edit(4, ["status"]), 3);
    await afterBatch();
    expect(board.count).toBe(2);
  });

  it("one write the screen does not show among many it does reloads it", async () => {
    const board = shown(unfiltered, boardOf(4));
    const source = started();

    source.send("lead.moved", moved("L1", 4, SAM));
    source.send("lead.moved", moved("L1", 5, SAM));
    source.send("lead.moved", moved("L1", 3, SAM));
    await afterBatch();

    expect(board.count).toBe(1);
  });

  it("a steady stream of events still reloads the board while it goes on", async () => {
    const board = shown(unfiltered, boardOf(1));
    const source = started();

    for (let n = 0; n < 10; n += 1) {
      source.send("lead.moved", moved("L1", 2 + n, SAM));
      await vi.advanceTimersByTimeAsync(100);
    }

    // Ten events in a second: fewer loads than events, but the board never waits for the end.
    expect(board.count).toBeGreaterThanOrEqual(5);
    expect(board.count).toBeLessThanOrEqual(7);
  });

  it("a lead not on the board still reloads it, as it may now match the filters, but no other lead's page", async () => {
    const board = shown(mine, boardOf(1, "L1"));
    const otherLead = shown(queryKeys.lead("L1"), build.lead({ uid: "L1", version: 1 }));
    const source = started();

    source.send("lead.created", { ...moved("L9", 1, SAM), kind: "lead.created", from_stage: null, to_stage: "new" });
    await afterBatch();

    expect(board.count).toBe(1);
    expect(otherLead.count).toBe(0);
  });

  it("a deleted lead reloads the board even though the card's version is current", async () => {
    const board = shown(unfiltered, boardOf(5));
    const source = started();

    source.send("lead.deleted", { ...moved("L1", 5, SAM), kind: "lead.deleted", to_stage: null });
    await afterBatch();

    expect(board.count).toBe(1);
  });

  it("a changed stage reloads the stages, the board and the leads' pages; a changed config the config too", async () => {
    const stages = shown(queryKeys.stages, [build.stage("new")]);
    const config = shown(queryKeys.config, build.config());
    const board = shown(unfiltered, boardOf(1));
    const lead = shown(queryKeys.lead("L1"), build.lead({ uid: "L1", version: 1 }));
    const source = started();

    source.send("stage.changed", { ...moved("new", 2, SAM), kind: "stage.changed" });
    await afterBatch();
    expect([stages.count, config.count, board.count, lead.count]).toEqual([1, 0, 1, 1]);

    source.send("config.changed", { ...moved("config", 2, SAM), kind: "config.changed" });
    await afterBatch();
    expect([stages.count, config.count, board.count, lead.count]).toEqual([2, 1, 2, 2]);
  });

  it("data that is not an event is ignored", async () => {
    const board = shown(unfiltered, boardOf(1));
    const source = started();

    source.send("lead.moved", { nothing: "here" });
    await afterBatch();

    expect(board.count).toBe(0);
  });

  it("a resync from the server reloads everything shown", async () => {
    const config = shown(queryKeys.config, build.config());
    const board = shown(unfiltered, boardOf(1));
    const source = started();

    source.send("resync", {});
    await afterBatch();

    expect([config.count, board.count]).toEqual([1, 1]);
  });
});

describe("holding refetches back", () => {
  it("nothing is reloaded while held (a card in the air), and everything held once it is released", async () => {
    const board = shown(unfiltered, boardOf(1));
    const source = started();
    const release = sync.hold();

    source.send("lead.moved", moved("L1", 2, SAM));
    source.send("lead.moved", moved("L2", 2, SAM));
    await afterBatch();
    await afterBatch();
    expect(board.count).toBe(0);

    release();
    release(); // twice is once
    await afterBatch();
    expect(board.count).toBe(1);
  });

  it("waits for the last of two holds", async () => {
    const board = shown(unfiltered, boardOf(1));
    const source = started();
    const dragging = sync.hold();
    const moving = sync.hold();

    source.send("lead.moved", moved("L1", 2, SAM));
    dragging();
    await afterBatch();
    expect(board.count).toBe(0);

    moving();
    await afterBatch();
    expect(board.count).toBe(1);
  });
});

describe("the connection", () => {
  it("the first connection reloads nothing: the screens have just loaded", async () => {
    const board = shown(unfiltered, boardOf(1));
    started();
    await afterBatch();

    expect(board.count).toBe(0);
    expect(statuses).toEqual(["live"]);
  });

  it("a dropped connection the browser reopens resyncs everything shown", async () => {
    const config = shown(queryKeys.config, build.config());
    const board = shown(unfiltered, boardOf(1));
    const source = started();

    source.fail();
    expect(statuses).toEqual(["live", "reconnecting"]);
    await afterBatch();
    expect(board.count).toBe(0);

    source.open(12);
    await afterBatch();

    expect(statuses).toEqual(["live", "reconnecting", "live"]);
    expect([config.count, board.count]).toEqual([1, 1]);
    expect(FakeEventSource.opened).toHaveLength(1);
  });

  it("after an HTTP error it opens a new stream itself, asks who is signed in, and resyncs", async () => {
    const me = shown(meQueryKey, { uid: "u-me" });
    const board = shown(unfiltered, boardOf(1));
    const first = started();

    first.fail({ gaveUp: true });
    expect(first.closed).toBe(true);
    await afterBatch();
    expect(me.count).toBe(1);
    expect(FakeEventSource.opened).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeEventSource.latest();
    expect(second).not.toBe(first);
    // It fails again: the next try waits longer.
    second.fail({ gaveUp: true });
    await vi.advanceTimersByTimeAsync(1500);
    expect(FakeEventSource.opened).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(600);
    const third = FakeEventSource.latest();
    expect(FakeEventSource.opened).toHaveLength(3);

    third.open(20);
    await afterBatch();
    expect(board.count).toBe(1);
  });

  it("stop closes the stream and drops what was waiting", async () => {
    const board = shown(unfiltered, boardOf(1));
    const source = started();

    source.send("lead.moved", moved("L1", 2, SAM));
    sync.stop();
    await afterBatch();

    expect(source.closed).toBe(true);
    expect(board.count).toBe(0);
  });
});
