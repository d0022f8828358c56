// "Possible duplicates" on a lead's page: leads with its email or phone, each with Merge.
import { useState } from "react";
import { Link } from "react-router-dom";
import type { FieldDefinition, Lead } from "../api/types";
import { useDuplicates, type LeadMatch } from "./api";
import { MergeDialog } from "./MergeDialog";

export function DuplicatesPanel({
  lead,
  definitions,
  canWrite,
}: {
  lead: Lead;
  definitions: FieldDefinition[];
  canWrite: boolean;
}) {
  const duplicates = useDuplicates(lead.uid);
  const [merging, setMerging] = useState<LeadMatch | null>(null);
  const matches = duplicates.data?.results ?? [];
  if (matches.length === 0) return null;
  return (
    <section className="panel duplicates-panel" data-testid="duplicates-panel">
      <h2>Possible duplicates</h2>
      <ul className="duplicate-list">
        {matches.map((match) => (
          <li key={match.uid} data-testid={`duplicate-${match.uid}`}>
            <div>
              <Link to={`/leads/${match.uid}`}>{match.name}</Link>
              <small className="muted"> {match.uid}</small>
              <div className="muted small">
                same {match.matched_on.join(" and ")}
                {match.company ? ` · ${match.company}` : ""}
              </div>
            </div>
            {canWrite ? (
              <button
                type="button"
                className="btn btn-small"
                onClick={() => setMerging(match)}
                data-testid={`merge-${match.uid}`}
              >
                Merge
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {merging ? (
        <MergeDialog
          lead={lead}
          otherUid={merging.uid}
          definitions={definitions}
          onClose={() => setMerging(null)}
        />
      ) : null}
    </section>
  );
}
