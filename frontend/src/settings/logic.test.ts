// @vitest-environment node
// Pure logic: no DOM needed, and node gives import.meta.url a file: URL for the server table.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Config, FieldDefinition, Stage } from "../api/types";
import * as build from "../test/builders";
import {
  applyOrder,
  buildFieldDefinition,
  buildStageCreate,
  buildStagePatch,
  buildVariablesPatch,
  buildWorkflowPatch,
  emptyFieldDraft,
  FIELD_TYPES,
  fieldDraftFrom,
  fieldErrorsFromServer,
  fitInputType,
  incomingCounts,
  INPUT_TYPES_BY_FIELD_TYPE,
  moveItem,
  newTemplateDraft,
  removeField,
  reorderUids,
  retypeDraft,
  stageDraftFrom,
  stageErrorsFromServer,
  suggestFieldKey,
  upsertField,
  workflowDraftFrom,
  type FieldDraft,
} from "./logic";

/** A text field labelled with its key. */
function field(overrides: Partial<FieldDefinition> & Pick<FieldDefinition, "field_key">): FieldDefinition {
  return build.fieldDefinition({ label: overrides.field_key, input_type: "text", ...overrides });
}

function stage(overrides: Partial<Stage> & Pick<Stage, "uid">): Stage {
  return build.stage(overrides.uid, { version: 3, ...overrides });
}

function config(overrides: Partial<Config> = {}): Config {
  return build.config({ version: 7, ...overrides });
}

function draft(overrides: Partial<FieldDraft>): FieldDraft {
  return { ...emptyFieldDraft(), field_key: "thing", label: "Thing", ...overrides };
}

describe("reordering", () => {
  it("moves an item forwards and backwards without touching the input", () => {
    const list = ["a", "b", "c", "d"];
    expect(moveItem(list, 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveItem(list, 3, 1)).toEqual(["a", "d", "b", "c"]);
    expect(list).toEqual(["a", "b", "c", "d"]);
  });

  it("leaves the list alone for out-of-range moves", () => {
    expect(moveItem(["a", "b"], 0, 5)).toEqual(["a", "b"]);
    expect(moveItem(["a", "b"], -1, 0)).toEqual(["a", "b"]);
  });

  it("gives every uid in the new order after a drop, or null when nothing moved", () => {
    const uids = ["new", "contacted", "won", "lost"];
    expect(reorderUids(uids, "lost", "contacted")).toEqual(["new", "lost", "contacted", "won"]);
    expect(reorderUids(uids, "new", "new")).toBeNull();
    expect(reorderUids(uids, "new", null)).toBeNull();
    expect(reorderUids(uids, "new", "gone")).toBeNull();
  });

  it("applies an order to the stage list and renumbers it", () => {
    const stages = [stage({ uid: "a", order: 0 }), stage({ uid: "b", order: 1 }), stage({ uid: "c", order: 2 })];
    const ordered = applyOrder(stages, ["c", "a", "b"]);
    expect(ordered.map((s) => [s.uid, s.order])).toEqual([
      ["c", 0],
      ["a", 1],
      ["b", 2],
    ]);
  });

  it("counts how many stages lead into each stage", () => {
    const counts = incomingCounts([
      stage({ uid: "a", allowed_next_stages: ["b", "c"] }),
      stage({ uid: "b", allowed_next_stages: ["c", "b"] }),
      stage({ uid: "c" }),
    ]);
    expect(Object.fromEntries(counts)).toEqual({ a: 0, b: 1, c: 2 });
  });
});

describe("input types per field type", () => {
  it("mirrors INPUT_TYPES_BY_FIELD_TYPE in leads/domain/enums.py", () => {
    const path = fileURLToPath(new URL("../../../leads/domain/enums.py", import.meta.url));
    const source = readFileSync(path, "utf8");
    const table = source.slice(source.indexOf("INPUT_TYPES_BY_FIELD_TYPE"));
    const server: Record<string, string[]> = {};
    for (const match of table.matchAll(/FieldType\.(\w+): \(([^)]*)\)/g)) {
      const inputs = [...(match[2] ?? "").matchAll(/InputType\.(\w+)/g)].map((m) => (m[1] ?? "").toLowerCase());
      server[(match[1] ?? "").toLowerCase()] = inputs;
    }
    expect(server).toEqual(
      Object.fromEntries(FIELD_TYPES.map((type) => [type, [...INPUT_TYPES_BY_FIELD_TYPE[type]]])),
    );
  });

  it("keeps an input type that fits and falls back to the type's first one otherwise", () => {
    expect(fitInputType("select", "radio")).toBe("radio");
    expect(fitInputType("select", "textarea")).toBe("select");
    expect(fitInputType("long_text", null)).toBe("textarea");
  });

  it("clears the rules that stop applying when a field is retyped", () => {
    const before = draft({ field_type: "integer", input_type: "number", min: "1", max: "9" });
    const after = retypeDraft(before, "select");
    expect(after).toMatchObject({ field_type: "select", input_type: "select", min: "", max: "" });
    expect(retypeDraft(draft({ field_type: "text", pattern: "x+" }), "email").pattern).toBe("x+");
  });

  it("suggests snake_case keys from labels", () => {
    expect(suggestFieldKey("Expected close date")).toBe("expected_close_date");
    expect(suggestFieldKey("  Décision-maker (name) ")).toBe("decision_maker_name");
    expect(suggestFieldKey("2nd phone")).toBe("nd_phone");
  });
});

describe("field definitions from the form", () => {
  it("builds a select field with its options and a default among them", () => {
    const { definition, errors } = buildFieldDefinition(
      draft({
        field_key: "industry",
        label: " Industry ",
        field_type: "select",
        input_type: "radio",
        options: [
          { value: "saas", label: "SaaS" },
          { value: "retail ", label: "Retail" },
        ],
        default: "retail",
      }),
      { order: 4, otherKeys: ["budget"] },
    );
    expect(errors).toEqual({});
    expect(definition).toMatchObject({
      field_key: "industry",
      label: "Industry",
      input_type: "radio",
      options: [
        { value: "saas", label: "SaaS" },
        { value: "retail", label: "Retail" },
      ],
      default: "retail",
      order: 4,
      min: null,
      pattern: null,
    });
  });

  it("refuses what the server would refuse", () => {
    const { errors } = buildFieldDefinition(
      draft({ field_key: "Budget", label: "", field_type: "multi_select", input_type: "multiselect" }),
      { order: 0, otherKeys: [] },
    );
    expect(Object.keys(errors).sort()).toEqual(["field_key", "label", "options"]);
    expect(
      buildFieldDefinition(draft({ field_key: "budget" }), { order: 0, otherKeys: ["budget"] }).errors.field_key,
    ).toMatch(/already/);
    const numbers = buildFieldDefinition(
      draft({ field_type: "integer", input_type: "number", min: "10", max: "2", default: "1.5" }),
      { order: 0, otherKeys: [] },
    ).errors;
    expect(numbers.max).toBeDefined();
    expect(numbers.default).toMatch(/whole/);
    const options = buildFieldDefinition(
      draft({
        field_type: "select",
        input_type: "select",
        options: [
          { value: "a", label: "A" },
          { value: "a", label: "Again" },
        ],
      }),
      { order: 0, otherKeys: [] },
    ).errors;
    expect(options.options).toMatch(/unique/);
    expect(buildFieldDefinition(draft({ pattern: "([a-z" }), { order: 0, otherKeys: [] }).errors.pattern).toBeDefined();
  });

  it("turns typed numbers and yes/no defaults into values, and blanks into null", () => {
    const money = buildFieldDefinition(
      draft({ field_type: "currency", input_type: "number", min: "0", max: "", default: "2500.5" }),
      { order: 0, otherKeys: [] },
    ).definition;
    expect(money).toMatchObject({ min: 0, max: null, default: 2500.5 });
    const flag = buildFieldDefinition(draft({ field_type: "boolean", input_type: "checkbox", default: "false" }), {
      order: 0,
      otherKeys: [],
    }).definition;
    expect(flag.default).toBe(false);
    expect(buildFieldDefinition(draft({ default: "  " }), { order: 0, otherKeys: [] }).definition.default).toBeNull();
  });

  it("round-trips a stored definition through the draft", () => {
    const stored = field({
      field_key: "tags",
      label: "Tags",
      field_type: "multi_select",
      input_type: "checkbox",
      options: [{ value: "x", label: "X" }],
      default: ["x"],
      min_length: 1,
      order: 2,
    });
    const { definition, errors } = buildFieldDefinition(fieldDraftFrom(stored), { order: 2, otherKeys: [] });
    expect(errors).toEqual({});
    expect(definition).toEqual(stored);
  });
});

describe("config PATCH bodies", () => {
  const budget = field({ field_key: "budget", field_type: "currency", input_type: "number", order: 0 });
  const industry = field({ field_key: "industry", order: 1 });

  it("sends the whole renumbered field list with the version read", () => {
    const added = upsertField([industry, budget], null, field({ field_key: "website", order: 99 }));
    const patch = buildVariablesPatch(config({ variables: [budget, industry] }), added);
    expect(patch.version).toBe(7);
    expect(patch.variables?.map((f) => [f.field_key, f.order])).toEqual([
      ["budget", 0],
      ["industry", 1],
      ["website", 2],
    ]);
    expect("value_field" in patch).toBe(false);
  });

  it("replaces an edited field in place", () => {
    const edited = upsertField([budget, industry], "budget", { ...budget, label: "Deal size" });
    expect(edited.map((f) => f.label)).toEqual(["Deal size", "industry"]);
  });

  it("clears the value field when its field is removed", () => {
    const current = config({ variables: [budget, industry], value_field: "budget" });
    const patch = buildVariablesPatch(current, removeField(current.variables ?? [], "budget"));
    expect(patch.variables?.map((f) => f.field_key)).toEqual(["industry"]);
    expect(patch.value_field).toBeNull();
  });

  it("sends only the workflow settings that changed", () => {
    const current = config({ value_field: "budget" });
    expect(buildWorkflowPatch(current, workflowDraftFrom(current))).toBeNull();
    expect(buildWorkflowPatch(current, { workflow_name: " Deals ", initial_stage: "new", value_field: "" })).toEqual({
      workflow_name: "Deals",
      value_field: null,
      version: 7,
    });
  });

  it("puts server errors on the inputs of the field that was saved", () => {
    const { byInput, rest } = fieldErrorsFromServer(
      {
        "variables.2.field_key": ["String should match pattern"],
        "variables.2": ["a select field needs at least one option"],
        "variables.0.label": ["too long"],
        variables: ["cannot remove budget"],
      },
      2,
    );
    expect(byInput).toEqual({
      field_key: "String should match pattern",
      form: "a select field needs at least one option",
    });
    expect(rest).toEqual(["variables.0.label: too long", "cannot remove budget"]);
  });
});

describe("stage bodies", () => {
  const pipeline = ["new", "contacted", "won", "lost"];
  const stored = stage({
    uid: "contacted",
    name: "Contacted",
    allowed_next_stages: ["lost", "won"],
    required_fields: ["budget"],
    task_templates: [
      {
        uid: "tt-1",
        title: "Call",
        description: "",
        required: true,
        skippable: false,
        due_in_hours: 24,
        priority: "normal",
        order: 0,
      },
    ],
  });

  it("sends nothing when nothing changed (next stages compared as a set)", () => {
    const { patch, errors } = buildStagePatch(stored, stageDraftFrom(stored), pipeline, ["budget"]);
    expect(errors).toEqual({});
    expect(patch).toBeNull();
  });

  it("sends what changed with the version, in pipeline order", () => {
    const edit = stageDraftFrom(stored);
    edit.name = "Reached";
    edit.allowed_next_stages = ["won"];
    edit.probability = "35";
    const { patch } = buildStagePatch(stored, edit, pipeline, ["budget"]);
    expect(patch).toEqual({ name: "Reached", allowed_next_stages: ["won"], probability: 35, version: 3 });
  });

  it("keeps template uids when editing and sends new ones without", () => {
    const edit = stageDraftFrom(stored);
    const extra = { ...newTemplateDraft(), title: "Send deck", due_in_hours: "48" };
    edit.task_templates = [extra, { ...(edit.task_templates[0] as (typeof edit.task_templates)[number]), title: "Call them" }];
    const { patch } = buildStagePatch(stored, edit, pipeline, ["budget"]);
    expect(patch?.task_templates).toEqual([
      { uid: null, title: "Send deck", description: "", required: false, skippable: false, due_in_hours: 48, priority: "normal", order: 0 },
      { uid: "tt-1", title: "Call them", description: "", required: true, skippable: false, due_in_hours: 24, priority: "normal", order: 1 },
    ]);
  });

  it("flags bad input per template row and per input", () => {
    const edit = stageDraftFrom(stored);
    edit.name = " ";
    edit.probability = "140";
    edit.task_templates = [{ ...newTemplateDraft(), title: "", due_in_hours: "-1" }];
    const { errors } = buildStagePatch(stored, edit, pipeline, []);
    expect(errors.name).toBeDefined();
    expect(errors.probability).toBeDefined();
    expect(errors.templates?.[0]).toEqual({ title: expect.any(String), due_in_hours: expect.any(String) });
  });

  it("builds a create body the server fills in (uid, slug, order)", () => {
    const { body, errors } = buildStageCreate({
      ...stageDraftFrom(stage({ uid: "x" })),
      name: "Demo booked",
      color: "#AABBCC",
      probability: "30",
    });
    expect(errors).toEqual({});
    expect(body).toMatchObject({ uid: null, slug: null, order: null, name: "Demo booked", color: "#aabbcc", probability: 30 });
  });

  it("maps server error paths onto the stage form", () => {
    const { errors, rest } = stageErrorsFromServer({
      allowed_next_stages: ["unknown stage(s): gone"],
      "task_templates.1.title": ["String should have at least 1 character"],
      slug: ["taken"],
    });
    expect(errors.allowed_next_stages).toMatch(/unknown/);
    expect(errors.templates?.[1]?.title).toMatch(/at least/);
    expect(rest).toEqual(["slug: taken"]);
  });
});
