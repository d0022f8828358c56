// Builders for the API objects the tests feed the screens and the logic: every property filled
// with a plain default, so a test spells out only what it is about. Test files only; nothing in
// the app imports this.
import type { Config, FieldDefinition, Stage } from "../api/types";

/** A custom field definition: optional, untyped input, no rules, no options. */
export function fieldDefinition(overrides: Partial<FieldDefinition> = {}): FieldDefinition {
  return {
    field_key: "f",
    label: "Field",
    field_type: "text",
    input_type: null,
    required: false,
    options: [],
    default: null,
    min: null,
    max: null,
    min_length: null,
    max_length: null,
    pattern: null,
    help_text: "",
    placeholder: "",
    order: 0,
    ...overrides,
  };
}

/** An open stage named after its uid, with no moves, required fields or task templates. */
export function stage(uid: string, overrides: Partial<Stage> = {}): Stage {
  return {
    uid,
    name: uid,
    slug: uid,
    color: "#64748b",
    order: 0,
    kind: "open",
    probability: 10,
    description: "",
    allowed_next_stages: [],
    required_fields: [],
    task_templates: [],
    version: 1,
    ...overrides,
  };
}

/** The workflow config: unlocked, no custom fields, no value field. */
export function config(overrides: Partial<Config> = {}): Config {
  return {
    uid: "default",
    workflow_name: "Sales",
    variables: [],
    initial_stage: "new",
    value_field: null,
    locked: false,
    version: 1,
    ...overrides,
  };
}
