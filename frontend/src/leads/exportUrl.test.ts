import { describe, expect, it } from "vitest";
import { exportUrl, listQuery } from "./listQuery";

describe("exportUrl", () => {
  it("asks for every lead the list's filters and sort match, not one page", () => {
    const query = listQuery(new URLSearchParams("q=acme&stage=stage-new&overdue=true&sort=name&cursor=abc"));
    const url = new URL(exportUrl(query, "xlsx"), "http://x");
    expect(url.pathname).toBe("/api/leads/export/");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      q: "acme",
      stage: "stage-new",
      overdue: "true",
      sort: "name",
      format: "xlsx",
    });
  });
});
