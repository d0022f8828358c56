// The charts of the reports page (recharts, in the page's own lazily loaded chunk). Each is
// hidden from screen readers: the table beside it holds the same numbers.
import {
  Bar,
  BarChart,
  CartesianGrid,
  LabelList,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { FunnelBar } from "./shaping";
import { amount, forecastSeries, lostReasonTotals, stageTimeBars, winRateSeries } from "./shaping";

const BLUE = "#2563eb";
const LIGHT_BLUE = "#93b4f5";
const GREEN = "#15803d";
const AMBER = "#b45309";
const RED = "#c62828";

export function FunnelChart({ bars, onOpen }: { bars: FunnelBar[]; onOpen: (stage: string) => void }) {
  const height = Math.max(160, bars.length * 46 + 20);
  return (
    <div className="chart" aria-hidden="true" data-testid="funnel-chart">
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={bars} layout="vertical" margin={{ top: 4, right: 140, bottom: 4, left: 8 }}>
          <XAxis type="number" hide allowDecimals={false} />
          <YAxis type="category" dataKey="name" width={110} tickLine={false} axisLine={false} />
          <Tooltip cursor={{ fill: "#eef2f7" }} formatter={(value) => [String(value), "Entered"]} />
          <Bar
            dataKey="entered"
            fill={BLUE}
            radius={[0, 4, 4, 0]}
            cursor="pointer"
            isAnimationActive={false}
            onClick={(entry) => {
              const stage = (entry as { payload?: FunnelBar }).payload?.stage;
              if (stage) onOpen(stage);
            }}
          >
            <LabelList dataKey="label" position="right" className="funnel-label" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function StageTimeChart({ rows }: { rows: Parameters<typeof stageTimeBars>[0] }) {
  return (
    <div className="chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={stageTimeBars(rows)} margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" tickLine={false} interval={0} fontSize={12} />
          <YAxis unit=" d" width={48} />
          <Tooltip formatter={(value) => `${Number(value).toFixed(1)} days`} />
          <Legend />
          <Bar dataKey="median" name="Median (finished)" fill={BLUE} isAnimationActive={false} />
          <Bar dataKey="p90" name="90th percentile" fill={LIGHT_BLUE} isAnimationActive={false} />
          <Bar dataKey="waiting" name="Median wait now" fill={AMBER} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function WinRateChart({ rows }: { rows: Parameters<typeof winRateSeries>[0] }) {
  return (
    <div className="chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={winRateSeries(rows)} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="month" tickLine={false} fontSize={12} />
          <YAxis unit="%" domain={[0, 100]} width={48} />
          <Tooltip formatter={(value) => (value === null ? "no closed leads" : `${value}%`)} />
          <Line
            type="linear"
            dataKey="winRate"
            name="Win rate"
            stroke={GREEN}
            strokeWidth={2}
            connectNulls
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export function ForecastChart({ rows }: { rows: Parameters<typeof forecastSeries>[0] }) {
  return (
    <div className="chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={forecastSeries(rows)} margin={{ top: 8, right: 8, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="month" tickLine={false} fontSize={12} />
          <YAxis tickFormatter={(value: number) => amount(value)} width={72} />
          <Tooltip formatter={(value) => amount(Number(value))} />
          <Legend />
          <Bar dataKey="open" name="Open value" fill={LIGHT_BLUE} isAnimationActive={false} />
          <Bar dataKey="weighted" name="Weighted" fill={BLUE} isAnimationActive={false} />
          <Bar dataKey="won" name="Won" fill={GREEN} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function LostReasonsChart({ rows }: { rows: Parameters<typeof lostReasonTotals>[0] }) {
  const totals = lostReasonTotals(rows);
  return (
    <div className="chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={Math.max(140, totals.length * 36 + 20)}>
        <BarChart data={totals} layout="vertical" margin={{ top: 4, right: 40, bottom: 4, left: 8 }}>
          <XAxis type="number" hide allowDecimals={false} />
          <YAxis type="category" dataKey="label" width={130} tickLine={false} axisLine={false} fontSize={12} />
          <Tooltip formatter={(value) => [String(value), "Lost leads"]} />
          <Bar dataKey="count" fill={RED} radius={[0, 4, 4, 0]} isAnimationActive={false}>
            <LabelList dataKey="count" position="right" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
