import { describe, expect, it } from "vitest";
import { fieldDefinition } from "../../test/builders";
import { rule } from "./builders";
import {
  draftOf,
  emptyRule,
  errorsFromServer,
  moved,
  newAction,
  ruleBody,
  rulePatch,
  withField,
  type RuleDraft,
} from "./ruleForm";

const budget = fieldDefinition({ field_key: "budget", label: "Budget", field_type: "currency" });
const industry = fieldDefinition({
  field_key: "industry",
  label: "Industry",
  field_type: "multi_select",
  options: [
    { value: "saas", label: "SaaS" },
    { value: "retail", label: "Retail" },
  ],
});
const definitions = [budget, industry];

describe("the body a rule form sends", () => {
  it("sends a stage trigger and ordered actions as the API takes them", () => {
    const draft: RuleDraft = {
      ...emptyRule(),
      name: "  Follow up  ",
      trigger: { kind: "stage_entered", stage: "contacted", title: "" },
      actions: [
        { ...newAction("add_task"), title: " Call back ", dueInDays: "2", required: true },
        { ...newAction("assign"), users: ["usr-sam", "usr-ann"] },
        { ...withField(newAction("set_field"), "budget", definitions), value: "1,200.50" },
        { ...newAction("add_tag"), tag: " hot " },
        { ...newAction("send_webhook"), webhook: "whk-1" },
      ],
    };
    expect(ruleBody(draft, definitions)).toEqual({
      name: "Follow up",
      active: true,
      trigger: { kind: "stage_entered", stage: "contacted" },
      actions: [
        { kind: "add_task", title: "Call back", due_in_days: 2, required: true },
        { kind: "assign", users: ["usr-sam", "usr-ann"] },
        { kind: "set_field", field: "budget", value: 1200.5 },
        { kind: "add_tag", tag: "hot" },
        { kind: "send_webhook", webhook: "whk-1" },
      ],
    });
  });

  it("reads an empty stage and title of a task trigger as any, and no due days as none", () => {
    const draft: RuleDraft = {
      ...emptyRule(),
      name: "x",
      trigger: { kind: "task_completed", stage: "", title: "  " },
      actions: [{ ...newAction("add_task"), title: "Next" }],
    };
    const body = ruleBody(draft, definitions);
    expect(body.trigger).toEqual({ kind: "task_completed", stage: null, title: null });
    expect(body.actions[0]).toMatchObject({ due_in_days: null });
  });

  it("gives a stored rule back unchanged, with the version it was read at", () => {
    const stored = rule("rule-1", {
      version: 6,
      active: false,
      trigger: { kind: "task_completed", stage: "new", title: "Send intro email" },
      actions: [
        { kind: "set_field", field: "industry", value: ["retail", "saas"] },
        { kind: "add_task", title: "Call", due_in_days: 0, required: false },
        { kind: "assign", users: ["usr-a"] },
      ],
    });
    const { uid, sentence, stats, created_at, updated_at, created_by, version, ...input } = stored;
    expect(rulePatch(stored, draftOf(stored, definitions), definitions)).toEqual({ ...input, version: 6 });
  });

  it("starts a newly picked field from its blank value", () => {
    expect(withField({ ...newAction("set_field"), value: "12" }, "industry", definitions).value).toEqual([]);
  });

  it("moves an action up or down, and not past the ends", () => {
    expect(moved(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
  });
});

describe("where the server's refusals go", () => {
  it("puts each path at its input: a trigger's stage, an action's input, one user of several", () => {
    const sent: RuleDraft = {
      ...emptyRule(),
      actions: [{ ...newAction("assign"), users: ["usr-sam", "usr-gone"] }, newAction("add_task")],
    };
    const errors = errorsFromServer(
      {
        "trigger.stage": ["there is no stage stage-x"],
        "actions.0.users.1": ["no active user usr-gone"],
        // Pydantic names the union's branch in the path.
        "actions.1.add_task.title": ["String should have at least 1 character"],
        actions: ["List should have at most 10 items"],
        name: ["Field required"],
        color: ["Extra inputs are not permitted"],
      },
      sent,
    );
    expect(errors).toEqual({
      triggerStage: "there is no stage stage-x",
      action: {
        0: { byUser: { "usr-gone": "no active user usr-gone" } },
        1: { title: "String should have at least 1 character" },
      },
      actions: "List should have at most 10 items",
      name: "Field required",
      lines: ["color: Extra inputs are not permitted"],
    });
  });
});
