import { describe, expect, it } from "vitest";
import { fieldDefinition as field } from "../test/builders";
import { BAD_NUMBER } from "./validation";
import {
  emptyValue,
  formatFieldValue,
  fromLocalInput,
  fromServerValue,
  toLocalInput,
  toServerValue,
} from "./values";

const options = [
  { value: "saas", label: "SaaS" },
  { value: "retail", label: "Retail" },
];

describe("toServerValue", () => {
  it("sends blank values as null, which clears the field", () => {
    expect(toServerValue(field({ field_type: "text" }), "  ")).toBeNull();
    expect(toServerValue(field({ field_type: "multi_select", options }), [])).toBeNull();
    expect(toServerValue(field({ field_type: "boolean" }), null)).toBeNull();
    expect(toServerValue(field({ field_type: "integer" }), BAD_NUMBER)).toBeNull();
  });

  it("sends numbers as JSON numbers", () => {
    expect(toServerValue(field({ field_type: "integer" }), "1,200")).toBe(1200);
    expect(toServerValue(field({ field_type: "currency" }), "99.95")).toBe(99.95);
  });

  it("keeps false for a checkbox and reads radio strings as booleans", () => {
    expect(toServerValue(field({ field_type: "boolean" }), false)).toBe(false);
    expect(toServerValue(field({ field_type: "boolean" }), "true")).toBe(true);
  });

  it("sends each chosen option once", () => {
    expect(toServerValue(field({ field_type: "multi_select", options }), ["saas", "saas", "retail"])).toEqual([
      "saas",
      "retail",
    ]);
  });

  it("sends a datetime-local value as ISO 8601 with the browser's offset", () => {
    const sent = toServerValue(field({ field_type: "datetime" }), "2026-11-26T14:30");
    expect(sent).toMatch(/^2026-11-26T14:30:00[+-]\d{2}:\d{2}$/);
    expect(new Date(String(sent)).getTime()).toBe(new Date(2026, 10, 26, 14, 30).getTime());
  });
});

describe("fromServerValue and emptyValue", () => {
  it("turns stored values into what the controls hold", () => {
    expect(fromServerValue(field({ field_type: "currency" }), 25000)).toBe("25000");
    expect(fromServerValue(field({ field_type: "boolean" }), true)).toBe(true);
    expect(fromServerValue(field({ field_type: "multi_select", options }), ["saas"])).toEqual(["saas"]);
    expect(fromServerValue(field({ field_type: "select", options }), null)).toBe("");
    expect(fromServerValue(field({ field_type: "multi_select", options }), undefined)).toEqual([]);
  });

  it("shows a stored UTC moment in local time and round-trips it", () => {
    const stored = "2026-11-26T13:30:00Z";
    const local = toLocalInput(stored);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(new Date(fromLocalInput(local)).getTime()).toBe(new Date(stored).getTime());
  });

  it("starts a new lead's field at its default", () => {
    expect(emptyValue(field({ field_type: "select", options, default: "retail" }))).toBe("retail");
    expect(emptyValue(field({ field_type: "integer", default: 5 }))).toBe("5");
    expect(emptyValue(field({ field_type: "text" }))).toBe("");
  });
});

describe("formatFieldValue", () => {
  it("reads stored values the way people say them", () => {
    expect(formatFieldValue(field({ field_type: "select", options }), "saas")).toBe("SaaS");
    expect(formatFieldValue(field({ field_type: "multi_select", options }), ["saas", "retail"])).toBe(
      "SaaS, Retail",
    );
    expect(formatFieldValue(field({ field_type: "boolean" }), false)).toBe("No");
    expect(formatFieldValue(field({ field_type: "currency" }), 25000)).toBe("$25,000");
    expect(formatFieldValue(field({ field_type: "currency" }), 99.5)).toBe("$99.50");
    expect(formatFieldValue(field({ field_type: "date" }), "2027-01-31")).toBe("31 Jan 2027");
    expect(formatFieldValue(field({ field_type: "text" }), null)).toBe("—");
  });
});
