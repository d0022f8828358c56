// Every server call of the reports page, as TanStack Query hooks: one GET per report, keyed by
// the filters, so changing a filter refetches and going back shows the cached answer.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import type { ReportFilters } from "./shaping";

export type FunnelReport = paths["/api/reports/funnel/"]["get"]["responses"]["200"]["content"]["application/json"];
export type StageTimesReport =
  paths["/api/reports/stage-times/"]["get"]["responses"]["200"]["content"]["application/json"];
export type WinRateReport =
  paths["/api/reports/win-rate/"]["get"]["responses"]["200"]["content"]["application/json"];
export type ForecastReport =
  paths["/api/reports/forecast/"]["get"]["responses"]["200"]["content"]["application/json"];
export type LostReasonsReport =
  paths["/api/reports/lost-reasons/"]["get"]["responses"]["200"]["content"]["application/json"];

export type ReportName = "funnel" | "stage-times" | "win-rate" | "forecast" | "lost-reasons" | "activity";

const reportsKey = ["reports"] as const;

/** The query string a report is asked with: only the filters that are set. */
export function reportQuery(filters: ReportFilters, extra: Record<string, string> = {}): Record<string, string> {
  const query: Record<string, string> = { ...extra };
  for (const name of ["from", "to", "assigned_to", "source"] as const) {
    const value = filters[name];
    if (value) query[name] = value;
  }
  return query;
}

/** Where a report's CSV downloads from: the same endpoint and filters, `format=csv`. */
export function csvUrl(report: ReportName, filters: ReportFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ ...reportQuery(filters, extra), format: "csv" });
  return `/api/reports/${report}/?${params.toString()}`;
}

function useReport<T>(report: ReportName, filters: ReportFilters, fetch: (query: Record<string, string>) => Promise<T>) {
  const query = reportQuery(filters);
  return useQuery<T>({
    queryKey: [...reportsKey, report, query],
    queryFn: () => fetch(query),
    placeholderData: keepPreviousData,
  });
}

export function useFunnel(filters: ReportFilters) {
  return useReport<FunnelReport>("funnel", filters, (query) =>
    unwrap(api.GET("/api/reports/funnel/", { params: { query } })),
  );
}

export function useStageTimes(filters: ReportFilters) {
  return useReport<StageTimesReport>("stage-times", filters, (query) =>
    unwrap(api.GET("/api/reports/stage-times/", { params: { query } })),
  );
}

export function useWinRate(filters: ReportFilters) {
  return useReport<WinRateReport>("win-rate", filters, (query) =>
    unwrap(api.GET("/api/reports/win-rate/", { params: { query: { ...query, group_by: "month" } } })),
  );
}

export function useForecast(filters: ReportFilters) {
  return useReport<ForecastReport>("forecast", filters, (query) =>
    unwrap(api.GET("/api/reports/forecast/", { params: { query } })),
  );
}

export function useLostReasons(filters: ReportFilters) {
  return useReport<LostReasonsReport>("lost-reasons", filters, (query) =>
    unwrap(api.GET("/api/reports/lost-reasons/", { params: { query } })),
  );
}
