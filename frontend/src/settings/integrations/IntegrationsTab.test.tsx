import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import { refusal, renderWithProviders, reply } from "../testUtils";
import type { Delivery, Webhook } from "./api";
import { attempt, delivery, webhook } from "./builders";
import { IntegrationsTab } from "./IntegrationsTab";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

type Call = [string, { params?: { path?: Record<string, string> }; body?: unknown }?];

/** The server's GETs: the webhook list, and each webhook's deliveries (read from `logs` live). */
function serve(webhooks: Webhook[], logs: Record<string, Delivery[]> = {}) {
  return vi.spyOn(api, "GET").mockImplementation((async (...[path, init]: Call) => {
    if (path === "/api/webhooks/") return reply(200, webhooks);
    const uid = init?.params?.path?.uid ?? "";
    return reply(200, { results: logs[uid] ?? [], next_cursor: null });
  }) as never);
}

const input = (form: HTMLElement, name: string) => form.querySelector<HTMLInputElement>(`[name="${name}"]`)!;

describe("the integrations tab", () => {
  it("lists each webhook with what it hears and why the service switched it off", async () => {
    serve([
      webhook("whk-a", { events: ["lead.moved", "lead.created"] }),
      webhook("whk-b", {
        active: false,
        state: {
          disabled_reason: "every attempt failed for 24 hours (last: HTTP 503)",
          failing_since: "2026-11-29T10:00:00Z",
          last_success_at: null,
          last_failure_at: "2026-11-30T10:00:00Z",
          last_error: "HTTP 503",
        },
      }),
    ]);
    renderWithProviders(<IntegrationsTab />);

    const cards = await screen.findAllByTestId("webhook-card");
    expect(within(cards[0]!).getByText("https://hooks.example.com/whk-a")).toBeTruthy();
    expect(within(cards[0]!).getByText("Lead moved, Lead created")).toBeTruthy();
    expect(within(cards[0]!).getByTestId("webhook-state").textContent).toBe("Active");
    expect(within(cards[1]!).getByTestId("webhook-state").textContent).toBe("Disabled by the service");
    expect(within(cards[1]!).getByTestId("webhook-disabled").textContent).toContain("(last: HTTP 503)");
    expect(within(cards[1]!).getByTestId<HTMLInputElement>("webhook-active").checked).toBe(false);
  });

  it("shows the server's refusal of a URL beside the URL, then the secret once with a warning", async () => {
    serve([]);
    const post = vi
      .spyOn(api, "POST")
      .mockResolvedValueOnce(
        reply(400, refusal("invalid", "Invalid input: url.", { fields: { url: ["127.0.0.1 is a loopback address"] } })),
      )
      .mockResolvedValueOnce(reply(201, { ...webhook("whk-new"), secret: "s3cret-s3cret-s3cret" }));
    renderWithProviders(<IntegrationsTab />);

    fireEvent.click(await screen.findByTestId("add-webhook"));
    const form = screen.getByTestId("webhook-form");
    fireEvent.change(input(form, "url"), { target: { value: "http://127.0.0.1/hook" } });
    fireEvent.click(input(form, "all-events"));
    fireEvent.click(input(form, "lead.deleted"));
    fireEvent.click(screen.getByRole("button", { name: "Add webhook" }));

    const urlField = (await screen.findByText("127.0.0.1 is a loopback address")).closest(".field")!;
    expect(urlField.querySelector('[name="url"]')).toBeTruthy();
    expect(post.mock.calls[0]![1]).toMatchObject({
      body: { url: "http://127.0.0.1/hook", events: ["lead.created", "lead.updated", "lead.moved", "stage.changed", "config.changed"] },
    });

    fireEvent.click(screen.getByRole("button", { name: "Add webhook" }));
    const secret = await screen.findByTestId("secret-dialog");
    expect(within(secret).getByTestId<HTMLInputElement>("webhook-secret").value).toBe("s3cret-s3cret-s3cret");
    expect(secret.textContent).toContain("You will not see this secret again");
    fireEvent.click(screen.getByTestId("secret-done"));
    expect(screen.queryByTestId("webhook-secret")).toBeNull();
  });

  it("sends a test ping and shows how it went, in the log and beside the button", async () => {
    const logs: Record<string, Delivery[]> = {};
    serve([webhook("whk-a")], logs);
    const ping = delivery("ping-1", { event: "ping", seq: null, subject: null, status: "pending", attempt_count: 0, attempts: [] });
    const post = vi.spyOn(api, "POST").mockImplementation((async () => {
      logs["whk-a"] = [ping];
      return reply(202, ping);
    }) as never);
    renderWithProviders(<IntegrationsTab />);

    fireEvent.click(await screen.findByTestId("send-test"));

    const row = await screen.findByTestId("delivery-row");
    expect(post.mock.calls[0]).toEqual(["/api/webhooks/{uid}/test/", { params: { path: { uid: "whk-a" } } }]);
    expect(row.className).toContain("delivery-highlight");
    expect(screen.getByTestId("ping-result").textContent).toContain("Waiting");

    // The worker sends it: the next read of the log (a second later) has the answer.
    logs["whk-a"] = [{ ...ping, status: "delivered", attempt_count: 1, attempts: [attempt({ status_code: 204, duration_ms: 31 })] }];
    await waitFor(() => expect(screen.getByTestId("ping-result").textContent).toBe("Test ping: Delivered · 204 in 31 ms"), {
      timeout: 3000,
    });
    expect(screen.getByTestId("delivery-code").textContent).toBe("204");
  });

  it("redelivers a failed delivery, and offers no redelivery for one still waiting", async () => {
    serve([webhook("whk-a")], {
      "whk-a": [
        delivery("d-wait", { status: "pending", attempt_count: 0, attempts: [], finished_at: null }),
        delivery("d-fail", {
          status: "failed",
          attempt_count: 30,
          attempts: [attempt({ ok: false, status_code: null, duration_ms: 10000, error: "timed out after 10 s" })],
        }),
      ],
    });
    const post = vi.spyOn(api, "POST").mockResolvedValue(reply(202, delivery("d-fail", { status: "pending" })));
    renderWithProviders(<IntegrationsTab />);

    fireEvent.click(await screen.findByTestId("toggle-deliveries"));
    const rows = await screen.findAllByTestId("delivery-row");
    expect(within(rows[0]!).queryByTestId("redeliver")).toBeNull();
    expect(rows[1]!.textContent).toContain("timed out after 10 s");
    expect(within(rows[1]!).getByTestId("delivery-code").textContent).toBe("no answer");

    fireEvent.click(within(rows[1]!).getByTestId("redeliver"));

    await waitFor(() => expect(post).toHaveBeenCalledTimes(1));
    expect(post.mock.calls[0]).toEqual([
      "/api/webhooks/{uid}/deliveries/{delivery_id}/redeliver/",
      { params: { path: { uid: "whk-a", delivery_id: "d-fail" } } },
    ]);
  });

  it("pauses a webhook with its version, and deletes one only after a confirmation", async () => {
    serve([webhook("whk-a", { version: 3 })]);
    const patch = vi.spyOn(api, "PATCH").mockResolvedValue(reply(200, webhook("whk-a", { active: false, version: 4 })));
    const remove = vi.spyOn(api, "DELETE").mockResolvedValue(reply(204, undefined));
    renderWithProviders(<IntegrationsTab />);

    fireEvent.click(await screen.findByTestId("webhook-active"));
    await waitFor(() => expect(patch).toHaveBeenCalledTimes(1));
    expect(patch.mock.calls[0]![1]).toEqual({ params: { path: { uid: "whk-a" } }, body: { active: false, version: 3 } });

    fireEvent.click(screen.getByTestId("delete-webhook"));
    expect(remove).not.toHaveBeenCalled();
    expect(screen.getByTestId("delete-webhook-dialog").textContent).toContain("https://hooks.example.com/whk-a");
    fireEvent.click(screen.getByTestId("confirm-action"));
    await waitFor(() => expect(remove).toHaveBeenCalledTimes(1));
    expect(remove.mock.calls[0]![1]).toEqual({ params: { path: { uid: "whk-a" } } });
    await waitFor(() => expect(screen.queryByTestId("delete-webhook-dialog")).toBeNull());
  });

  it("replaces the secret on edit with one made in the browser, and shows that one once", async () => {
    serve([webhook("whk-a", { version: 2 })]);
    const patch = vi
      .spyOn(api, "PATCH")
      .mockImplementation((async () => reply(200, webhook("whk-a", { version: 3 }))) as never);
    renderWithProviders(<IntegrationsTab />);

    fireEvent.click(await screen.findByTestId("edit-webhook"));
    fireEvent.click(input(screen.getByTestId("webhook-form"), "new-secret"));
    fireEvent.click(screen.getByRole("button", { name: "Save" }));

    const dialog = await screen.findByTestId("secret-dialog");
    const sent = (patch.mock.calls[0]![1] as { body: { secret: string; version: number } }).body;
    expect(Object.keys(sent).sort()).toEqual(["secret", "version"]);
    expect(sent.version).toBe(2);
    expect(sent.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(within(dialog).getByTestId<HTMLInputElement>("webhook-secret").value).toBe(sent.secret);
    expect(screen.getByRole("dialog").getAttribute("aria-label")).toBe("New secret: copy it");
  });
});
