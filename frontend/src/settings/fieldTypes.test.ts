// @vitest-environment node
// node gives import.meta.url a file: URL, to read the server's table.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  FIELD_TYPES,
  fitInputType,
  INPUT_TYPES_BY_FIELD_TYPE,
  suggestFieldKey,
  suggestOptionValue,
} from "./fieldTypes";

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
});

describe("suggested keys", () => {
  it("suggests snake_case keys from labels", () => {
    expect(suggestFieldKey("Expected close date")).toBe("expected_close_date");
    expect(suggestFieldKey("  Décision-maker (name) ")).toBe("decision_maker_name");
    expect(suggestFieldKey("2nd phone")).toBe("nd_phone");
  });

  it("suggests an option value from its label, keeping a label with no letters", () => {
    expect(suggestOptionValue("Mid-market")).toBe("mid_market");
    expect(suggestOptionValue(" 42 ")).toBe("42");
  });
});
