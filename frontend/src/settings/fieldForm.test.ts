import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "../api/types";
import * as build from "../test/builders";
import {
  buildFieldDefinition,
  emptyFieldDraft,
  fieldDraftFrom,
  fieldErrorsFromServer,
  retypeDraft,
  type FieldDraft,
} from "./fieldForm";

/** A text field labelled with its key. */
function field(overrides: Partial<FieldDefinition> & Pick<FieldDefinition, "field_key">): FieldDefinition {
  return build.fieldDefinition({ label: overrides.field_key, input_type: "text", ...overrides });
}

function draft(overrides: Partial<FieldDraft>): FieldDraft {
  return { ...emptyFieldDraft(), field_key: "thing", label: "Thing", ...overrides };
}

describe("retyping a field", () => {
  it("clears the rules that stop applying when a field is retyped", () => {
    const before = draft({ field_type: "integer", input_type: "number", min: "1", max: "9" });
    const after = retypeDraft(before, "select");
    expect(after).toMatchObject({ field_type: "select", input_type: "select", min: "", max: "" });
    expect(retypeDraft(draft({ field_type: "text", pattern: "x+" }), "email").pattern).toBe("x+");
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

describe("server errors on the field form", () => {
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

  it("shows what fits no input of the form above it instead of dropping it", () => {
    const { byInput, rest } = fieldErrorsFromServer({ "variables.1.order": ["must be a number"] }, 1);
    expect(byInput).toEqual({});
    expect(rest).toEqual(["variables.1.order: must be a number"]);
  });
});
