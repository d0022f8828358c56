import { describe, expect, it } from "vitest";
import { attempt, delivery, webhook } from "./builders";
import { deliveryStatus, eventsLabel } from "./format";
import {
  createBody,
  draftOf,
  EMPTY_DRAFT,
  errorsFromServer,
  patchBody,
  setAllEvents,
  toggleEvent,
} from "./webhookForm";

describe("the webhook form's body", () => {
  it("asks for all events with the star, or for the ticked kinds in the form's order", () => {
    expect(createBody({ ...EMPTY_DRAFT, url: " https://a.example/h " }).events).toEqual(["*"]);
    let draft = setAllEvents(EMPTY_DRAFT, false);
    draft = toggleEvent(draft, "lead.created", false);
    draft = toggleEvent(draft, "stage.changed", false);
    draft = toggleEvent(draft, "config.changed", false);
    draft = toggleEvent(draft, "lead.deleted", false);
    expect(createBody({ ...draft, url: " https://a.example/h " })).toEqual({
      url: "https://a.example/h",
      events: ["lead.updated", "lead.moved"],
      description: "",
      active: true,
      secret: null,
    });
  });

  it("starts from every kind ticked when all events is switched off, so nothing is lost by a click", () => {
    expect(setAllEvents(EMPTY_DRAFT, false).events).toHaveLength(6);
    const some = { ...EMPTY_DRAFT, allEvents: false, events: ["lead.moved" as const] };
    expect(setAllEvents(setAllEvents(some, true), false).events).toEqual(["lead.moved"]);
  });

  it("patches only what changed, with the version it was opened on", () => {
    const hook = webhook("whk-1", { events: ["lead.moved", "lead.created"], version: 4 });
    const draft = draftOf(hook);
    expect(patchBody(hook, draft)).toBeNull();
    expect(patchBody(hook, { ...draft, active: false })).toEqual({ active: false, version: 4 });
    expect(patchBody(hook, setAllEvents(draft, true))).toEqual({ events: ["*"], version: 4 });
    expect(patchBody(hook, { ...draft, url: `${hook.url}/v2 ` })).toEqual({ url: `${hook.url}/v2`, version: 4 });
  });
});

describe("where the server's refusals go", () => {
  it("puts a field's messages on its input and the rest above the form", () => {
    expect(
      errorsFromServer({
        url: ["the address 127.0.0.1 is loopback"],
        "events.1": ["unknown event kind 'lead.won'"],
        version: ["must be at least 1"],
      }),
    ).toEqual({
      errors: { url: "the address 127.0.0.1 is loopback", events: "unknown event kind 'lead.won'" },
      lines: ["version: must be at least 1"],
    });
  });
});

describe("how webhooks and deliveries read", () => {
  it("names the events in words", () => {
    expect(eventsLabel(["*"])).toBe("All events");
    expect(eventsLabel(["lead.moved", "stage.changed"])).toBe("Lead moved, Stage changed");
  });

  it("calls a waiting delivery that was tried already a retry", () => {
    expect(deliveryStatus(delivery("d", { status: "pending", attempt_count: 0, attempts: [] })).label).toBe("Waiting");
    const retry = delivery("d", { status: "pending", attempt_count: 2, attempts: [attempt({ ok: false, status_code: 500 })] });
    expect(deliveryStatus(retry)).toEqual({ label: "Retrying", tone: "bad" });
  });
});
