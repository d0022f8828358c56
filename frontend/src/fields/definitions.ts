import type { FieldDefinition } from "../api/types";

/** An optional text field with no rules, no options and no default. */
export function plainTextDefinition(field_key: string, label: string): FieldDefinition {
  return {
    field_key,
    label,
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
  };
}

/** The definitions in form order (`order`, then label, so ties do not reshuffle). */
export function sortedDefinitions(definitions: FieldDefinition[] | undefined): FieldDefinition[] {
  return [...(definitions ?? [])].sort(
    (a, b) => a.order - b.order || a.label.localeCompare(b.label),
  );
}
