import type { FieldDefinition } from "../api/types";

/** The definitions in form order (`order`, then label, so ties do not reshuffle). */
export function sortedDefinitions(definitions: FieldDefinition[] | undefined): FieldDefinition[] {
  return [...(definitions ?? [])].sort(
    (a, b) => a.order - b.order || a.label.localeCompare(b.label),
  );
}
