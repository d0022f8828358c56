import { describe, expect, it } from "vitest";
import { csvUrl, reportQuery } from "./api";
import {
  filtersFromParams,
  forecastSeries,
  funnelBars,
  funnelStepLink,
  lostReasonTotals,
  percentText,
  periodDates,
  winRateSeries,
} from "./shaping";

const TODAY = new Date("2026-06-30T15:00:00Z");

function funnelRow(stage: string, entered: number, fromFirst: number | null, dropOff: number | null) {
  return {
    stage,
    name: stage.toUpperCase(),
    kind: dropOff === null ? ("won" as const) : ("open" as const),
    entered,
    moved_on: null,
    conversion_pct: null,
    from_first_pct: fromFirst,
    drop_off: null,
    drop_off_pct: dropOff,
    won: 0,
    won_pct: null,
  };
}

describe("report filters", () => {
  it("count a preset's days back from today, both ends included", () => {
    expect(periodDates("30d", TODAY)).toEqual({ from: "2026-06-01", to: "2026-06-30" });
    expect(periodDates("year", TODAY)).toEqual({ from: "2026-01-01", to: "2026-06-30" });
    expect(periodDates("all", TODAY)).toEqual({ from: "", to: "" });
  });

  it("read the period, assignee and source from the URL, the last six months by default", () => {
    const preset = filtersFromParams(new URLSearchParams("assigned_to=me&source=Webinar"), TODAY);
    expect(preset).toEqual({ period: "180d", from: "2025-12-31", to: "2026-06-30", assigned_to: "me", source: "Webinar" });
    const custom = filtersFromParams(new URLSearchParams("period=custom&from=2026-02-01&to=nonsense"), TODAY);
    expect(custom).toMatchObject({ period: "custom", from: "2026-02-01", to: "" });
    // dates in the URL count only for custom periods
    expect(filtersFromParams(new URLSearchParams("period=30d&from=2020-01-01"), TODAY).from).toBe("2026-06-01");
  });

  it("send only the filters that are set, and the CSV link asks the same endpoint for csv", () => {
    const filters = { from: "2026-06-01", to: "2026-06-30", assigned_to: "", source: "Web site" };
    expect(reportQuery(filters)).toEqual({ from: "2026-06-01", to: "2026-06-30", source: "Web site" });
    expect(csvUrl("win-rate", filters, { group_by: "month" })).toBe(
      "/api/reports/win-rate/?group_by=month&from=2026-06-01&to=2026-06-30&source=Web+site&format=csv",
    );
  });

  it("open the lead list of a funnel step with the period, assignee and source", () => {
    const link = funnelStepLink("stage-new", { from: "2026-06-01", to: "2026-06-30", assigned_to: "usr-1", source: "" });
    expect(link).toBe("/leads?entered_stage=stage-new&entered_from=2026-06-01&entered_to=2026-06-30&assigned_to=usr-1");
    expect(funnelStepLink("stage-new", { from: "", to: "", assigned_to: "", source: "fair" })).toBe(
      "/leads?entered_stage=stage-new&source=fair",
    );
  });
});

describe("chart series", () => {
  it("label each funnel bar with its count and share of the first step, and say the drop-off", () => {
    const bars = funnelBars([funnelRow("new", 5, 100, 20), funnelRow("won", 2, 40, null)]);
    expect(bars.map((bar) => [bar.name, bar.label, bar.dropOff])).toEqual([
      ["NEW", "5 · 100%", "20% dropped off"],
      ["WON", "2 · 40%", null],
    ]);
    expect(percentText(33.333)).toBe("33.3%");
    expect(percentText(null)).toBe("–");
  });

  it("leave months without closed leads out of the win-rate line instead of drawing 0%", () => {
    const row = (label: string, won: number, lost: number, rate: number | null) => ({
      key: label,
      label,
      won,
      lost,
      closed: won + lost,
      win_rate_pct: rate,
      won_value: 0,
      lost_value: 0,
      value_win_rate_pct: null,
    });
    expect(winRateSeries([row("2026-05", 0, 0, null), row("2026-06", 1, 3, 25)])).toEqual([
      { month: "2026-05", winRate: null, won: 0, lost: 0 },
      { month: "2026-06", winRate: 25, won: 1, lost: 3 },
    ]);
  });

  it("name the forecast's undated row and keep its values", () => {
    const rows = [
      { month: "2026-07", open_count: 1, open_value: 8000, weighted_value: 5600, won_count: 0, won_value: 0 },
      { month: null, open_count: 1, open_value: 4000, weighted_value: 1600, won_count: 0, won_value: 0 },
    ];
    expect(forecastSeries(rows).map((point) => point.month)).toEqual(["2026-07", "No date"]);
    expect(forecastSeries(rows)[1]).toMatchObject({ open: 4000, weighted: 1600, won: 0 });
  });

  it("add up lost leads per reason across the stages they were lost from, most first", () => {
    const row = (reason: string | null, label: string, stage: string, count: number, value: number) => ({
      reason,
      label,
      stage,
      stage_name: stage,
      count,
      value,
    });
    const totals = lostReasonTotals([
      row("price", "Too expensive", "proposal", 1, 2000),
      row("timing", "Bad timing", "new", 1, 300),
      row("timing", "Bad timing", "qualified", 1, 500),
      row(null, "(no reason)", "new", 1, 10),
    ]);
    expect(totals.map((total) => [total.label, total.count, total.value])).toEqual([
      ["Bad timing", 2, 800],
      ["(no reason)", 1, 10],
      ["Too expensive", 1, 2000],
    ]);
  });
});
