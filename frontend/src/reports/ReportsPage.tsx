// /reports — how the pipeline is doing: funnel, time in stage, win rate, forecast, lost reasons.
// Loaded on its own (React.lazy in App.tsx), so the chart library never weighs on the board.
import { useMemo } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { csvUrl, useForecast, useFunnel, useLostReasons, useStageTimes, useWinRate } from "./api";
import { ForecastChart, FunnelChart, LostReasonsChart, StageTimeChart, WinRateChart } from "./charts";
import { ReportCard } from "./ReportCard";
import { ReportFiltersBar } from "./ReportFiltersBar";
import { amount, days, filtersFromParams, funnelBars, funnelStepLink, percentText } from "./shaping";
import "./reports.css";

export default function ReportsPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  // "Today" once per visit: presets stay put while the page is open.
  const today = useMemo(() => new Date(), []);
  const filters = filtersFromParams(params, today);
  const funnel = useFunnel(filters);
  const stageTimes = useStageTimes(filters);
  const winRate = useWinRate(filters);
  const forecast = useForecast(filters);
  const lost = useLostReasons(filters);

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setParams(next, { replace: true });
  };

  const funnelRows = funnel.data?.rows ?? [];
  const timeRows = stageTimes.data?.rows ?? [];
  const winRows = winRate.data?.rows ?? [];
  const forecastRows = forecast.data?.rows ?? [];
  const lostRows = lost.data?.rows ?? [];

  return (
    <div className="page reports-page" data-testid="reports-page">
      <div className="page-header">
        <h1>Reports</h1>
      </div>
      <ReportFiltersBar filters={filters} onChange={update} />
      <div className="report-grid">
        <ReportCard
          title="Funnel"
          description="Leads that entered each stage in the period, how many moved on to a later stage, and where they dropped off. Click a bar to see its leads."
          csv={csvUrl("funnel", filters)}
          query={funnel}
          empty={funnelRows.every((row) => row.entered === 0)}
          testId="report-funnel"
          wide
          chart={
            <>
              <FunnelChart bars={funnelBars(funnelRows)} onOpen={(stage) => navigate(funnelStepLink(stage, filters))} />
              <ol className="funnel-steps" aria-label="Conversion between stages">
                {funnelRows
                  .filter((row) => row.kind === "open")
                  .map((row) => (
                    <li key={row.stage}>
                      <strong>{row.name}</strong> {percentText(row.conversion_pct)} moved on ·{" "}
                      <span className="drop">{percentText(row.drop_off_pct)} dropped off</span>
                    </li>
                  ))}
              </ol>
            </>
          }
          table={
            <table className="report-numbers">
              <caption>Funnel: leads per stage</caption>
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col">Entered</th>
                  <th scope="col">Moved on</th>
                  <th scope="col">Conversion</th>
                  <th scope="col">Of the first stage</th>
                  <th scope="col">Dropped off</th>
                  <th scope="col">Won now</th>
                </tr>
              </thead>
              <tbody>
                {funnelRows.map((row) => (
                  <tr key={row.stage}>
                    <th scope="row">
                      <Link to={funnelStepLink(row.stage, filters)}>{row.name}</Link>
                    </th>
                    <td>{row.entered}</td>
                    <td>{row.moved_on ?? "–"}</td>
                    <td>{percentText(row.conversion_pct)}</td>
                    <td>{percentText(row.from_first_pct)}</td>
                    <td>
                      {row.drop_off === null ? "–" : `${row.drop_off} (${percentText(row.drop_off_pct)})`}
                    </td>
                    <td>
                      {row.won} ({percentText(row.won_pct)})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
        <ReportCard
          title="Time in stage"
          description="Days a visit took (visits that ended in the period), and how long open leads have been waiting now."
          csv={csvUrl("stage-times", filters)}
          query={stageTimes}
          empty={timeRows.every((row) => row.visits === 0 && row.open_visits === 0)}
          testId="report-stage-times"
          chart={<StageTimeChart rows={timeRows} />}
          table={
            <table className="report-numbers">
              <caption>Time in stage, in days</caption>
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col">Visits</th>
                  <th scope="col">Median</th>
                  <th scope="col">Mean</th>
                  <th scope="col">90th pct.</th>
                  <th scope="col">Open now</th>
                  <th scope="col">Median wait</th>
                  <th scope="col">Longest wait</th>
                </tr>
              </thead>
              <tbody>
                {timeRows.map((row) => (
                  <tr key={row.stage}>
                    <th scope="row">{row.deleted ? `${row.name} (deleted)` : row.name}</th>
                    <td>{row.visits}</td>
                    <td>{days(row.median_days)}</td>
                    <td>{days(row.mean_days)}</td>
                    <td>{days(row.p90_days)}</td>
                    <td>{row.open_visits}</td>
                    <td>{days(row.open_median_days)}</td>
                    <td>{days(row.open_max_days)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
        <ReportCard
          title="Win rate"
          description="Won / (won + lost) of the leads closed each month."
          csv={csvUrl("win-rate", filters, { group_by: "month" })}
          query={winRate}
          empty={winRows.every((row) => row.closed === 0)}
          testId="report-win-rate"
          chart={<WinRateChart rows={winRows} />}
          table={
            <table className="report-numbers">
              <caption>Win rate per month</caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Won</th>
                  <th scope="col">Lost</th>
                  <th scope="col">Win rate</th>
                  <th scope="col">Won value</th>
                  <th scope="col">Lost value</th>
                </tr>
              </thead>
              <tbody>
                {winRows.map((row) => (
                  <tr key={row.key ?? "none"}>
                    <th scope="row">{row.label}</th>
                    <td>{row.won}</td>
                    <td>{row.lost}</td>
                    <td>{percentText(row.win_rate_pct)}</td>
                    <td>{amount(row.won_value)}</td>
                    <td>{amount(row.lost_value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
        <ReportCard
          title="Forecast"
          description={`Open value and value weighted by stage probability, by expected close month${
            forecast.data?.date_field ? ` (${forecast.data.date_field})` : " (no close date field chosen in Settings)"
          }, next to the value won each month.`}
          csv={csvUrl("forecast", filters)}
          query={forecast}
          empty={forecastRows.length === 0}
          testId="report-forecast"
          chart={<ForecastChart rows={forecastRows} />}
          table={
            <table className="report-numbers">
              <caption>Forecast per month</caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Open leads</th>
                  <th scope="col">Open value</th>
                  <th scope="col">Weighted</th>
                  <th scope="col">Won leads</th>
                  <th scope="col">Won value</th>
                </tr>
              </thead>
              <tbody>
                {forecastRows.map((row) => (
                  <tr key={row.month ?? "none"}>
                    <th scope="row">{row.month ?? "No close date"}</th>
                    <td>{row.open_count}</td>
                    <td>{amount(row.open_value)}</td>
                    <td>{amount(row.weighted_value)}</td>
                    <td>{row.won_count}</td>
                    <td>{amount(row.won_value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
        <ReportCard
          title="Lost reasons"
          description="Leads lost in the period, by reason; the table splits them by the stage they were lost from."
          csv={csvUrl("lost-reasons", filters)}
          query={lost}
          empty={lostRows.length === 0}
          testId="report-lost-reasons"
          chart={<LostReasonsChart rows={lostRows} />}
          table={
            <table className="report-numbers">
              <caption>Lost leads by reason and stage</caption>
              <thead>
                <tr>
                  <th scope="col">Reason</th>
                  <th scope="col">Lost from</th>
                  <th scope="col">Leads</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {lostRows.map((row) => (
                  <tr key={`${row.reason}-${row.stage}`}>
                    <th scope="row">{row.label}</th>
                    <td>{row.stage_name}</td>
                    <td>{row.count}</td>
                    <td>{amount(row.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
      </div>
    </div>
  );
}
