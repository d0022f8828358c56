import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { Board, Stage, User } from "../api/types";
import { AuthProvider } from "../app/auth";
import { boardKey, useBoardQuery, useMoveCard } from "../board/api";
import { BoardCanvas } from "../board/BoardCanvas";
import { filtersFromParams } from "../board/filters";
import * as build from "../test/builders";
import { ToastProvider } from "../ui/toast";
import { FakeEventSource, connectFake, moved } from "./fakeEventSource";
import { LiveIndicator } from "./LiveIndicator";
import { LiveProvider } from "./LiveProvider";
import { changeMessage } from "./messages";
import { useLeadChangeToast } from "./useLeadChangeToast";

const ME: User = {
  uid: "u-me",
  username: "me",
  display_name: "Me",
  email: null,
  role: "member",
  is_active: true,
  created_at: "2026-11-01T00:00:00Z",
};
const SAM = { uid: "u-sam", name: "Sam" };
const STAGES: Stage[] = [build.stage("new", { name: "New" }), build.stage("qualified", { name: "Qualified" })];

beforeEach(() => FakeEventSource.reset());
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function client() {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
}

function Signedin({ children, queryClient = client() }: { children: ReactNode; queryClient?: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <MemoryRouter>
        <ToastProvider>
          <AuthProvider user={ME}>
            <LiveProvider connect={connectFake}>{children}</LiveProvider>
          </AuthProvider>
        </ToastProvider>
      </MemoryRouter>
    </QueryClientProvider>
  );
}

function LeadPage({ uid }: { uid: string }) {
  useLeadChangeToast(uid, STAGES);
  return <LiveIndicator />;
}

function toasts() {
  return screen.queryAllByTestId("toast").map((toast) => toast.textContent ?? "");
}

describe("the lead page", () => {
  it("names who moved the lead on screen, and where to", () => {
    render(<Signedin><LeadPage uid="L1" /></Signedin>);
    const source = FakeEventSource.latest();
    act(() => source.open());

    act(() => source.send("lead.moved", moved("L1", 4, SAM)));

    expect(toasts()).toEqual([expect.stringContaining("Sam moved this lead to Qualified")]);
  });

  it("says nothing of this user's own changes, nor of other leads", () => {
    render(<Signedin><LeadPage uid="L1" /></Signedin>);
    const source = FakeEventSource.latest();
    act(() => source.open());

    act(() => source.send("lead.moved", moved("L1", 4, { uid: ME.uid, name: "Me" })));
    act(() => source.send("lead.moved", moved("L2", 4, SAM)));

    expect(toasts()).toEqual([]);
  });

  it("a burst of changes to the lead shows one toast, the latest", () => {
    render(<Signedin><LeadPage uid="L1" /></Signedin>);
    const source = FakeEventSource.latest();
    act(() => source.open());

    act(() => source.send("lead.moved", moved("L1", 4, SAM, "new")));
    act(() => source.send("lead.moved", moved("L1", 5, { uid: "u-kim", name: "Kim" }, "qualified")));

    expect(toasts()).toEqual([expect.stringContaining("Kim moved this lead to Qualified")]);
  });
});

describe("the toast's words", () => {
  const stageName = (uid: string) => STAGES.find((stage) => stage.uid === uid)?.name;

  it("a change by the system names nobody", () => {
    const event = { ...moved("L1", 2, null), kind: "lead.moved" as const };
    expect(changeMessage(event, stageName)).toBe("This lead was moved to Qualified");
  });

  it("a reassignment, an edit and a deletion say so", () => {
    const base = { ...moved("L1", 2, SAM), kind: "lead.updated" as const };
    expect(changeMessage({ ...base, fields: ["assigned_to"] }, stageName)).toBe("Sam reassigned this lead");
    expect(changeMessage({ ...base, fields: ["email", "phone"] }, stageName)).toBe("Sam updated this lead");
    expect(changeMessage({ ...base, kind: "lead.deleted" }, stageName)).toBe("Sam deleted this lead");
  });
});

describe("the live indicator and the connection", () => {
  it("is a quiet dot while live and says so when the connection is lost", () => {
    render(<Signedin><LeadPage uid="L1" /></Signedin>);
    const source = FakeEventSource.latest();
    const indicator = () => screen.getByTestId("live-status");
    expect(indicator().dataset.status).toBe("connecting");

    act(() => source.open());
    expect(indicator().dataset.status).toBe("live");
    expect(indicator().textContent).toBe("");

    act(() => source.fail());
    expect(indicator().dataset.status).toBe("reconnecting");
    expect(indicator().textContent).toBe("Reconnecting…");
  });

  it("signing out (the shell unmounted) closes the one stream of the tab", () => {
    const { unmount } = render(<Signedin><LeadPage uid="L1" /></Signedin>);
    expect(FakeEventSource.opened).toHaveLength(1);
    expect(FakeEventSource.latest().url).toBe("/api/events/");

    unmount();

    expect(FakeEventSource.latest().closed).toBe(true);
  });
});

describe("the board while a card is dragged", () => {
  const filters = filtersFromParams(new URLSearchParams());
  const board: Board = build.board([
    build.column("new", [build.card("L1", { moves: [build.move("qualified")] }), build.card("L2")]),
    build.column("qualified"),
  ]);

  function LiveBoard({ onMove }: { onMove?: (move: ReturnType<typeof useMoveCard>["mutate"]) => void }) {
    const query = useBoardQuery(filters);
    const { mutate } = useMoveCard(filters);
    onMove?.(mutate);
    if (!query.data) return null;
    return (
      <BoardCanvas
        board={query.data}
        filters={filters}
        filtered={false}
        canDrag
        canWrite
        users={new Map()}
        variables={[]}
        lostReasons={[]}
        userUid={ME.uid}
      />
    );
  }

  const boardLoads = (get: { mock: { calls: unknown[][] } }) =>
    get.mock.calls.filter((call) => call[0] === "/api/leads/kanban/").length;

  it("applies others' moves only once the card is put down", async () => {
    const get = vi.spyOn(api, "GET").mockResolvedValue(build.reply(200, board));
    const queryClient = client();
    queryClient.setQueryData(boardKey(filters), board);
    render(<Signedin queryClient={queryClient}><LiveBoard /></Signedin>);
    const source = FakeEventSource.latest();
    act(() => source.open());

    fireEvent.keyDown(screen.getByTestId("card-L1"), { code: "Space", key: " " });
    await screen.findByTestId("drag-overlay");
    act(() => source.send("lead.moved", moved("L2", 2, SAM)));
    await act(() => new Promise((resolve) => setTimeout(resolve, 400)));
    expect(boardLoads(get)).toBe(0);

    fireEvent.keyDown(screen.getByTestId("card-L1"), { code: "Escape", key: "Escape" });
    await waitFor(() => expect(boardLoads(get)).toBe(1));
  });

  it("applies others' moves only once the user's own move is answered", async () => {
    const get = vi.spyOn(api, "GET").mockResolvedValue(build.reply(200, board));
    let answer: (value: unknown) => void = () => undefined;
    vi.spyOn(api, "POST").mockReturnValue(new Promise((resolve) => (answer = resolve)) as never);
    const queryClient = client();
    queryClient.setQueryData(boardKey(filters), board);
    let move: ReturnType<typeof useMoveCard>["mutate"] | null = null;
    render(<Signedin queryClient={queryClient}><LiveBoard onMove={(mutate) => (move = mutate)} /></Signedin>);
    const source = FakeEventSource.latest();
    act(() => source.open());

    act(() => move?.({ uid: "L1", toStage: "qualified", index: 0 }));
    act(() => source.send("lead.moved", moved("L2", 2, SAM)));
    await act(() => new Promise((resolve) => setTimeout(resolve, 400)));
    expect(boardLoads(get)).toBe(0);

    await act(async () => answer(build.reply(200, build.lead({ uid: "L1", current_stage: "qualified", version: 2 }))));
    await waitFor(() => expect(boardLoads(get)).toBeGreaterThanOrEqual(1));
  });
});
