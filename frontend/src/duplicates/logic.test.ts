import { describe, expect, it } from "vitest";
import type { FieldDefinition, Lead } from "../api/types";
import { mergeBody, mergeRows } from "./logic";

const budget = { field_key: "budget", label: "Budget", field_type: "decimal" } as FieldDefinition;
const industry = { field_key: "industry", label: "Industry", field_type: "text" } as FieldDefinition;

function lead(values: Partial<Lead>): Lead {
  return { uid: "LEAD-1", name: "Ann", email: null, phone: null, company: null, source: null, data: {}, version: 3, ...values } as Lead;
}

describe("mergeRows", () => {
  it("marks as conflicts the fields the server's preview names, and only those", () => {
    const rows = mergeRows(
      lead({ name: "Ann", email: "ann@x.com", company: null, data: { budget: 5 } }),
      lead({ uid: "LEAD-2", name: "Annie", email: "ANN@x.com", company: "Acme", data: { budget: 5, industry: "saas" } }),
      [budget, industry],
      ["name"],
    );
    expect(rows.map((row) => [row.field, row.conflict])).toEqual([
      ["name", true],
      ["email", false],
      ["company", false],
      ["data.budget", false],
      ["data.industry", false],
    ]);
  });
});

describe("mergeBody", () => {
  it("sends core choices by name, custom ones under data, and both versions read", () => {
    const body = mergeBody(lead({ version: 3 }), lead({ uid: "LEAD-2", version: 7 }), {
      name: "other",
      "data.budget": "this",
    });
    expect(body).toEqual({
      other: "LEAD-2",
      fields: { name: "other", email: null, phone: null, company: null, source: null, data: { budget: "this" } },
      version: 3,
      other_version: 7,
    });
  });
});
