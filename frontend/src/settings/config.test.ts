import { describe, expect, it } from "vitest";
import { lostReasonOptions } from "./lostReasons";
import type { Config, FieldDefinition } from "../api/types";
import * as build from "../test/builders";
import {
  buildLockPatch,
  buildVariablesPatch,
  buildWorkflowPatch,
  removeField,
  upsertField,
  workflowDraftFrom,
} from "./config";

/** A text field labelled with its key. */
function field(overrides: Partial<FieldDefinition> & Pick<FieldDefinition, "field_key">): FieldDefinition {
  return build.fieldDefinition({ label: overrides.field_key, input_type: "text", ...overrides });
}

function config(overrides: Partial<Config> = {}): Config {
  return build.config({ version: 7, ...overrides });
}

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
    expect(buildWorkflowPatch(current, { workflow_name: " Deals ", initial_stage: "new", value_field: "", forecast_date_field: "", lost_reasons: [] })).toEqual({
      workflow_name: "Deals",
      value_field: null,
      version: 7,
    });
  });

  it("chooses and clears the forecast's close date field, and clears it when its field is removed", () => {
    const closeDate = { ...budget, field_key: "close_date", field_type: "date" as const, input_type: "date" as const };
    const current = config({ variables: [budget, closeDate] });
    const chosen = { ...workflowDraftFrom(current), forecast_date_field: "close_date" };
    expect(buildWorkflowPatch(current, chosen)).toEqual({ forecast_date_field: "close_date", version: 7 });
    const withDate = config({ variables: [budget, closeDate], forecast_date_field: "close_date" });
    expect(buildWorkflowPatch(withDate, { ...workflowDraftFrom(withDate), forecast_date_field: "" })).toEqual({
      forecast_date_field: null,
      version: 7,
    });
    expect(buildVariablesPatch(withDate, removeField([budget, closeDate], "close_date")).forecast_date_field).toBeNull();
  });

  it("never clears the initial stage: a blank choice sends nothing for it", () => {
    const current = config({ initial_stage: "new" });
    expect(buildWorkflowPatch(current, { ...workflowDraftFrom(current), initial_stage: "" })).toBeNull();
  });

  it("keeps a stored lost reason's value when its label changes, and derives a new one's from its label", () => {
    const current = config({ lost_reasons: [{ value: "price", label: "Price" }] });
    const draft = workflowDraftFrom(current);
    const edited = {
      ...draft,
      lost_reasons: [
        { ...draft.lost_reasons[0]!, label: "Too expensive" },
        { key: "n1", value: null, label: "Went with a competitor" },
        { key: "n2", value: null, label: "  " },
      ],
    };
    expect(buildWorkflowPatch(current, edited)).toEqual({
      lost_reasons: [
        { value: "price", label: "Too expensive" },
        { value: "went_with_a_competitor", label: "Went with a competitor" },
      ],
      version: 7,
    });
  });

  it("sends no lost reasons while two of them read the same", () => {
    const current = config();
    const draft = {
      ...workflowDraftFrom(current),
      lost_reasons: [
        { key: "a", value: null, label: "Price" },
        { key: "b", value: null, label: "price" },
      ],
    };
    expect(buildWorkflowPatch(current, draft)).toBeNull();
    expect(lostReasonOptions(draft.lost_reasons).error).toBe("“Price” is listed twice.");
  });

  it("locks with the version read and nothing else", () => {
    expect(buildLockPatch(config())).toEqual({ locked: true, version: 7 });
  });
});
