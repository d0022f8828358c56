import { describe, expect, it } from "vitest";
import { filterQuery, filtersFromParams, hasFilters, withFilter } from "./filters";

describe("board filters in the URL", () => {
  it("reads the filters, trimmed", () => {
    const filters = filtersFromParams(new URLSearchParams("assigned_to=me&q=%20ada%20&status=won&tag=vip&overdue=true"));
    expect(filters).toEqual({ assigned_to: "me", q: "ada", status: "won", tag: "vip", overdue: "true", stale: "" });
    expect(hasFilters(filters)).toBe(true);
  });

  it("sends overdue and stale only as true", () => {
    const filters = filtersFromParams(new URLSearchParams("overdue=yes&stale=true"));
    expect(filterQuery(filters)).toEqual({ stale: "true" });
  });

  it("ignores an unknown status rather than sending it", () => {
    expect(filtersFromParams(new URLSearchParams("status=bogus")).status).toBe("");
  });

  it("sends only the filters that are set", () => {
    const filters = filtersFromParams(new URLSearchParams("q=ada"));
    expect(filterQuery(filters)).toEqual({ q: "ada" });
    expect(hasFilters(filtersFromParams(new URLSearchParams()))).toBe(false);
  });

  it("sets and clears one filter, keeping the others", () => {
    const start = new URLSearchParams("q=ada&tag=vip");
    expect(withFilter(start, "status", "open").toString()).toBe("q=ada&tag=vip&status=open");
    expect(withFilter(start, "q", "  ").toString()).toBe("tag=vip");
    expect(start.toString()).toBe("q=ada&tag=vip");
  });
});
