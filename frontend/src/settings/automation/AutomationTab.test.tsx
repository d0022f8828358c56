import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import * as build from "../../test/builders";
import { webhook } from "../integrations/builders";
import { refusal, renderWithProviders, reply } from "../testUtils";
import type { Rule, Run } from "./api";
import { AutomationTab } from "./AutomationTab";
import { rule, run, user } from "./builders";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const stages = [build.stage("new", { name: "New", order: 0 }), build.stage("contacted", { name: "Contacted", order: 1 })];
const users = [user("usr-sam", "Sam"), user("usr-ann", "Ann")];

/** The server's GETs: the rules, what a rule can name, and each rule's runs. */
function serve(rules: Rule[], runs: Record<string, Run[]> = {}) {
  return vi.spyOn(api, "GET").mockImplementation((async (path: string, init?: { params?: { path?: { uid?: string } } }) => {
    switch (path) {
      case "/api/automation/rules/":
        return reply(200, { results: rules });
      case "/api/stages/":
        return reply(200, stages);
      case "/api/users/":
        return reply(200, users);
      case "/api/config/":
        return reply(200, build.config());
      case "/api/webhooks/":
        return reply(200, [webhook("whk-1")]);
      default:
        return reply(200, { results: runs[init?.params?.path?.uid ?? ""] ?? [] });
    }
  }) as never);
}

const control = (scope: HTMLElement, name: string) => scope.querySelector<HTMLInputElement>(`[name="${name}"]`)!;

describe("the automation tab", () => {
  it("shows each rule as the server's sentence with its runs, failures and last error", async () => {
    serve([
      rule("rule-1", {
        stats: {
          runs: 12,
          failures: 1,
          last_run_at: "2026-11-30T11:00:00Z",
          last_error: { at: "2026-11-30T10:00:00Z", lead: "LEAD-202611-00007", message: "the field budget was deleted" },
        },
      }),
    ]);
    renderWithProviders(<AutomationTab />);

    const card = await screen.findByTestId("rule-card");
    expect(within(card).getByTestId("rule-sentence").textContent).toBe("When a lead enters Contacted, add the task “Call back”.");
    expect(within(card).getByTestId("rule-stats").textContent).toMatch(/^12 runs · 1 failure · last run /);
    const error = within(card).getByTestId("rule-last-error");
    expect(error.textContent).toContain("the field budget was deleted");
    expect(within(error).getByRole("link", { name: "LEAD-202611-00007" }).getAttribute("href")).toBe("/leads/LEAD-202611-00007");
  });

  it("switches a rule off with the version it shows", async () => {
    serve([rule("rule-1", { version: 5 })]);
    const patch = vi.spyOn(api, "PATCH").mockResolvedValue(reply(200, rule("rule-1", { active: false, version: 6 })));
    renderWithProviders(<AutomationTab />);

    fireEvent.click(await screen.findByTestId("rule-active"));

    await waitFor(() => expect(patch).toHaveBeenCalledTimes(1));
    expect(patch.mock.calls[0]![1]).toEqual({ params: { path: { uid: "rule-1" } }, body: { active: false, version: 5 } });
  });

  it("creates a rule from the form, and shows a refused user at that user's box", async () => {
    serve([]);
    const post = vi
      .spyOn(api, "POST")
      .mockResolvedValueOnce(
        reply(400, refusal("invalid", "The rule names what does not exist or fit: actions.1.users.1.", {
          fields: { "actions.1.users.1": ["no active user usr-ann"] },
        })),
      )
      .mockResolvedValueOnce(reply(201, rule("rule-2")));
    renderWithProviders(<AutomationTab />);

    fireEvent.click(await screen.findByTestId("add-rule"));
    const form = await screen.findByTestId("rule-form");
    fireEvent.change(control(form, "name"), { target: { value: "Call back" } });
    fireEvent.change(control(form, "trigger-stage"), { target: { value: "contacted" } });
    fireEvent.change(control(form, "action-0-title"), { target: { value: "Call back" } });
    fireEvent.change(control(form, "action-0-due"), { target: { value: "1" } });
    fireEvent.click(screen.getByTestId("add-action"));
    fireEvent.change(control(form, "action-1-kind"), { target: { value: "assign" } });
    fireEvent.click(control(form, "action-1-user-sam"));
    fireEvent.click(control(form, "action-1-user-ann"));
    expect(within(form).getByText(/each new lead goes to the next one in turn/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Add rule" }));

    const message = await within(form).findByText("no active user usr-ann");
    expect(message.closest("label")?.textContent).toContain("Ann");
    expect(post.mock.calls[0]![1]).toEqual({
      body: {
        name: "Call back",
        active: true,
        trigger: { kind: "stage_entered", stage: "contacted" },
        actions: [
          { kind: "add_task", title: "Call back", due_in_days: 1, required: false },
          { kind: "assign", users: ["usr-sam", "usr-ann"] },
        ],
      },
    });

    fireEvent.click(control(form, "action-1-user-ann"));
    fireEvent.click(screen.getByRole("button", { name: "Add rule" }));
    await waitFor(() => expect(screen.queryByTestId("rule-form")).toBeNull());
    expect((post.mock.calls[1]![1] as { body: Rule }).body.actions[1]).toEqual({ kind: "assign", users: ["usr-sam"] });
  });

  it("opens a rule's runs, each action's result and the lead it ran on", async () => {
    serve([rule("rule-1")], {
      "rule-1": [
        run("r2", {
          status: "failed",
          error: "the task could not be added",
          actions: [{ kind: "add_task", status: "failed", message: "the lead is closed" }],
        }),
        run("r1"),
      ],
    });
    renderWithProviders(<AutomationTab />);

    fireEvent.click(await screen.findByTestId("toggle-runs"));

    const rows = await screen.findAllByTestId("run-row");
    expect(rows.map((row) => row.dataset.status)).toEqual(["failed", "ok"]);
    expect(rows[0]!.textContent).toContain("Add a task: failed — the lead is closed");
    expect(rows[0]!.textContent).toContain("the task could not be added");
  });

  it("deletes a rule only after a confirmation that quotes it", async () => {
    serve([rule("rule-1")]);
    const remove = vi.spyOn(api, "DELETE").mockResolvedValue(reply(204, undefined));
    renderWithProviders(<AutomationTab />);

    fireEvent.click(await screen.findByTestId("delete-rule"));
    expect(screen.getByTestId("delete-rule-dialog").textContent).toContain("“When a lead enters Contacted");
    expect(remove).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("confirm-action"));

    await waitFor(() => expect(remove).toHaveBeenCalledTimes(1));
    expect(remove.mock.calls[0]![1]).toEqual({ params: { path: { uid: "rule-1" } } });
  });
});

describe("the rule form after a refusal", () => {
  it("drops the server's word on an input once it is changed", async () => {
    serve([]);
    vi.spyOn(api, "POST").mockResolvedValue(
      reply(400, refusal("invalid", "Invalid input: trigger.stage, actions.0.add_task.title.", {
        fields: { "trigger.stage": ["pick a stage"], "actions.0.add_task.title": ["a title is needed"] },
      })),
    );
    renderWithProviders(<AutomationTab />);
    fireEvent.click(await screen.findByTestId("add-rule"));
    const form = await screen.findByTestId("rule-form");
    fireEvent.change(control(form, "name"), { target: { value: "Follow up" } });
    fireEvent.click(screen.getByRole("button", { name: "Add rule" }));
    expect(await within(form).findByText("pick a stage")).toBeTruthy();
    expect(within(form).getByText("a title is needed")).toBeTruthy();

    fireEvent.change(control(form, "action-0-title"), { target: { value: "Call" } });

    expect(within(form).queryByText("a title is needed")).toBeNull();
    expect(within(form).getByText("pick a stage")).toBeTruthy();
    expect(within(form).getByText("Check the marked inputs.")).toBeTruthy();

    // with no marked input left, the summary goes too
    fireEvent.change(control(form, "trigger-stage"), { target: { value: "stage-contacted" } });

    expect(within(form).queryByText("pick a stage")).toBeNull();
    expect(within(form).queryByText("Check the marked inputs.")).toBeNull();
  });
});
