import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SavedView, ViewDraft } from "./api";

const saved: ViewDraft[] = [];
const deleted: string[] = [];
let views: SavedView[] = [];

vi.mock("./api", async (original) => ({
  ...(await original<typeof import("./api")>()),
  useViews: () => ({ data: views, isError: false }),
  useSaveView: () => ({
    mutate: (draft: ViewDraft, options?: { onSuccess?: () => void }) => {
      saved.push(draft);
      options?.onSuccess?.();
    },
    reset: () => undefined,
    isPending: false,
    isError: false,
  }),
  useDeleteView: () => ({ mutate: (uid: string) => deleted.push(uid) }),
}));

const auth = { user: { uid: "usr-me" }, isAdmin: false };
vi.mock("../app/auth", () => ({ useAuth: () => auth }));

const { ViewsMenu } = await import("./ViewsMenu");
const { viewFilters, viewParams } = await import("./api");

afterEach(() => {
  cleanup();
  saved.length = 0;
  deleted.length = 0;
});

function view(values: Partial<SavedView>): SavedView {
  return {
    uid: "view-1",
    name: "Mine",
    target: "list",
    filters: "",
    sort: null,
    shared: false,
    owner: "usr-me",
    version: 1,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...values,
  };
}

describe("ViewsMenu", () => {
  it("applies a picked view and lets its owner delete it, not a shared one", () => {
    views = [
      view({ uid: "view-1", name: "Hot leads", filters: "tag=hot" }),
      view({ uid: "view-2", name: "Team", shared: true, owner: "usr-admin" }),
    ];
    const onApply = vi.fn();
    render(<ViewsMenu target="list" filters="" onApply={onApply} />);
    fireEvent.click(screen.getByTestId("views-button"));
    expect(screen.queryByLabelText("Delete view Team")).toBeNull();
    fireEvent.click(screen.getByLabelText("Delete view Hot leads"));
    expect(deleted).toEqual(["view-1"]);
    fireEvent.click(screen.getByText("Hot leads"));
    expect(onApply).toHaveBeenCalledWith(expect.objectContaining({ uid: "view-1" }));
  });

  it("saves the current filters and sort under a name; only admins may share", async () => {
    views = [];
    const { rerender } = render(
      <ViewsMenu target="list" filters="q=acme&tag=hot" sort="name" onApply={() => undefined} />,
    );
    fireEvent.click(screen.getByTestId("views-button"));
    fireEvent.click(screen.getByTestId("view-save-open"));
    expect(screen.queryByLabelText("Shared with the team")).toBeNull();
    fireEvent.change(screen.getByTestId("view-name"), { target: { value: " Acme hot " } });
    fireEvent.submit(screen.getByTestId("view-name").closest("form") as HTMLFormElement);
    await waitFor(() =>
      expect(saved).toEqual([{ name: "Acme hot", target: "list", filters: "q=acme&tag=hot", sort: "name", shared: false }]),
    );
    auth.isAdmin = true;
    rerender(<ViewsMenu target="board" filters="stale=true" onApply={() => undefined} />);
    fireEvent.click(screen.getByTestId("views-button"));
    fireEvent.click(screen.getByTestId("view-save-open"));
    fireEvent.change(screen.getByTestId("view-name"), { target: { value: "Rotting" } });
    fireEvent.click(screen.getByLabelText("Shared with the team"));
    fireEvent.submit(screen.getByTestId("view-name").closest("form") as HTMLFormElement);
    await waitFor(() => expect(saved[1]).toEqual({ name: "Rotting", target: "board", filters: "stale=true", sort: null, shared: true }));
    auth.isAdmin = false;
  });

  it("keeps the filters of a URL but not its page or sort, and opens a view with its sort", () => {
    expect(viewFilters(new URLSearchParams("q=acme&cursor=abc&sort=name&tag=hot&stage="))).toBe("q=acme&tag=hot");
    expect(viewParams(view({ filters: "tag=hot", sort: "-name" })).toString()).toBe("tag=hot&sort=-name");
  });
});
