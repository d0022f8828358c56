// What the reports page makes of the server's rows: the filters read from the URL, the
// periods offered, and the series each chart draws. The figures themselves (percentages,
// medians) are the server's; nothing here recomputes them.
import type { ForecastReport, FunnelReport, LostReasonsReport, StageTimesReport, WinRateReport } from "./api";

export interface ReportFilters {
  from: string;
  to: string;
  assigned_to: string;
  source: string;
}

export type PeriodPreset = "30d" | "90d" | "180d" | "year" | "all" | "custom";

export const PERIODS: { value: PeriodPreset; label: string }[] = [
  { value: "30d", label: "Last 30 days" },
  { value: "90d", label: "Last 90 days" },
  { value: "180d", label: "Last 6 months" },
  { value: "year", label: "This year" },
  { value: "all", label: "All time" },
  { value: "custom", label: "Custom dates" },
];

export const DEFAULT_PERIOD: PeriodPreset = "180d";

const DAY_MS = 86_400_000;

function isoDay(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/** The from/to dates (UTC days, both included) of a preset, counted back from `today`. */
export function periodDates(preset: PeriodPreset, today: Date): { from: string; to: string } {
  const to = isoDay(today);
  const back = (days: number) => isoDay(new Date(today.getTime() - (days - 1) * DAY_MS));
  switch (preset) {
    case "30d":
      return { from: back(30), to };
    case "90d":
      return { from: back(90), to };
    case "180d":
      return { from: back(182), to };
    case "year":
      return { from: `${today.getUTCFullYear()}-01-01`, to };
    default:
      return { from: "", to: "" };
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filters of the page's URL; without a period, the default preset's. A hand-edited bad
 * date is left out rather than sent for a 400. */
export function filtersFromParams(params: URLSearchParams, today: Date): ReportFilters & { period: PeriodPreset } {
  const named = params.get("period") as PeriodPreset | null;
  const period = PERIODS.some((item) => item.value === named) ? (named as PeriodPreset) : DEFAULT_PERIOD;
  const dates =
    period === "custom"
      ? {
          from: DAY.test(params.get("from") ?? "") ? (params.get("from") as string) : "",
          to: DAY.test(params.get("to") ?? "") ? (params.get("to") as string) : "",
        }
      : periodDates(period, today);
  return {
    period,
    ...dates,
    assigned_to: params.get("assigned_to")?.trim() ?? "",
    source: params.get("source")?.trim() ?? "",
  };
}

/** The lead list a click on a funnel step opens: the leads that entered that stage in the
 * period, with the same assignee and source. */
export function funnelStepLink(stage: string, filters: ReportFilters): string {
  const params = new URLSearchParams({ entered_stage: stage });
  if (filters.from) params.set("entered_from", filters.from);
  if (filters.to) params.set("entered_to", filters.to);
  if (filters.assigned_to) params.set("assigned_to", filters.assigned_to);
  if (filters.source) params.set("source", filters.source);
  return `/leads?${params.toString()}`;
}

export type FunnelRow = FunnelReport["rows"][number];

export interface FunnelBar {
  stage: string;
  name: string;
  entered: number;
  /** "62% of the first step", shown at the bar's end. */
  label: string;
  /** "38% dropped off" between this step and the ones after it; null for a won step. */
  dropOff: string | null;
}

export function percentText(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

export function funnelBars(rows: FunnelRow[]): FunnelBar[] {
  return rows.map((row) => ({
    stage: row.stage,
    name: row.name,
    entered: row.entered,
    label: `${row.entered} · ${percentText(row.from_first_pct)}`,
    dropOff: row.drop_off_pct === null ? null : `${percentText(row.drop_off_pct)} dropped off`,
  }));
}

/** Stage times in days: the median and p90 of finished visits, and the oldest open one. */
export function stageTimeBars(rows: StageTimesReport["rows"]) {
  return rows.map((row) => ({
    name: row.deleted ? `${row.name} (deleted)` : row.name,
    median: row.median_days ?? 0,
    p90: row.p90_days ?? 0,
    waiting: row.open_median_days ?? 0,
  }));
}

/** Win rate per month; a month without closed leads has no point rather than a 0%. */
export function winRateSeries(rows: WinRateReport["rows"]) {
  return rows.map((row) => ({
    month: row.label,
    winRate: row.win_rate_pct,
    won: row.won,
    lost: row.lost,
  }));
}

export function forecastSeries(rows: ForecastReport["rows"]) {
  return rows.map((row) => ({
    month: row.month ?? "No date",
    open: row.open_value,
    weighted: row.weighted_value,
    won: row.won_value,
  }));
}

/** Lost leads per reason (the rows come per reason and stage), most first. */
export function lostReasonTotals(rows: LostReasonsReport["rows"]) {
  const totals = new Map<string, { reason: string; label: string; count: number; value: number }>();
  for (const row of rows) {
    const key = row.reason ?? "";
    const total = totals.get(key) ?? { reason: key, label: row.label, count: 0, value: 0 };
    total.count += row.count;
    total.value += row.value;
    totals.set(key, total);
  }
  return [...totals.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

const money = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function amount(value: number): string {
  return money.format(value);
}

export function days(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${value.toFixed(1)} d`;
}
