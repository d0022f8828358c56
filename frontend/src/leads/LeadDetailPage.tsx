// /leads/:uid — one lead: its fields, tasks, timeline and history, and the moves it can make.
import { useMemo } from "react";
import { Link, useLocation, useParams } from "react-router-dom";
import { ApiError } from "../api/client";
import { useAuth } from "../app/auth";
import { useConfig, useStages } from "../app/queries";
import { DuplicatesPanel } from "../duplicates/DuplicatesPanel";
import { sortedDefinitions } from "../fields";
import { useLeadChangeToast } from "../live/useLeadChangeToast";
import { lostReasonLabel } from "../moves/LostReasonInputs";
import { ErrorBanner, Spinner } from "../ui/components";
import { useLead } from "./api";
import { HistoryPanel } from "./HistoryPanel";
import { LeadDetailsForm } from "./LeadDetailsForm";
import { LeadHeader } from "./LeadHeader";
import { TasksPanel } from "./TasksPanel";
import { Timeline } from "./Timeline";
import { TransitionBar } from "./TransitionBar";
import "./leads.css";

export function LeadDetailPage() {
  const { uid = "" } = useParams();
  const { canWrite } = useAuth();
  const lead = useLead(uid);
  const config = useConfig();
  const stages = useStages();
  const definitions = useMemo(() => sortedDefinitions(config.data?.variables), [config.data]);
  useLeadChangeToast(uid, stages.data);

  if (lead.isError && lead.error instanceof ApiError && lead.error.status === 404) {
    return (
      <div className="page">
        <BackLink />
        <h1>Lead not found</h1>
        <p className="muted">
          There is no lead {uid}. It may have been deleted. <Link to="/leads">See all leads</Link>.
        </p>
      </div>
    );
  }
  const failed = [lead, config, stages].find((query) => query.isError);
  if (failed) {
    return (
      <div className="page">
        <BackLink />
        <ErrorBanner error={failed.error} onRetry={() => void failed.refetch()} />
      </div>
    );
  }
  if (!lead.data || !config.data || !stages.data) return <Spinner label="Loading the lead" />;

  const data = lead.data;
  return (
    <div className="page lead-page" data-testid="lead-detail">
      <BackLink />
      <section className="panel lead-top">
        <LeadHeader lead={data} stages={stages.data} canWrite={canWrite} />
        {data.status === "lost" && data.lost_reason ? (
          <div className="lost-reason-note" data-testid="lead-lost-reason">
            <strong>Lost: {lostReasonLabel(config.data.lost_reasons, data.lost_reason)}</strong>
            {data.lost_note ? <span className="muted"> — {data.lost_note}</span> : null}
          </div>
        ) : null}
        {canWrite ? (
          <TransitionBar
            lead={data}
            stages={stages.data}
            definitions={definitions}
            lostReasons={config.data.lost_reasons}
          />
        ) : null}
      </section>
      <div className="lead-columns">
        <div className="lead-main">
          <TasksPanel lead={data} stages={stages.data} canWrite={canWrite} />
          <Timeline lead={data} stages={stages.data} definitions={definitions} canWrite={canWrite} />
        </div>
        <aside className="lead-side">
          <DuplicatesPanel lead={data} definitions={definitions} canWrite={canWrite} />
          {/* Keyed by uid: another lead's page starts a fresh form, never a half-edited one. */}
          <LeadDetailsForm key={data.uid} lead={data} definitions={definitions} canWrite={canWrite} />
          <HistoryPanel lead={data} stages={stages.data} definitions={definitions} />
        </aside>
      </div>
    </div>
  );
}

/** Back to where the lead was opened from: the board (it says so in the route's state) or the
 * list. */
function BackLink() {
  const location = useLocation();
  const state: unknown = location.state;
  const fromBoard = typeof state === "object" && state !== null && "from" in state && state.from === "board";
  return (
    <Link to={fromBoard ? "/" : "/leads"} className="back-link" data-testid="back-link">
      {fromBoard ? "← Board" : "← All leads"}
    </Link>
  );
}
