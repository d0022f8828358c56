// What the board says when a move is refused: the server's reasons in its own sentences (from
// the card's `moves` before anything is sent, or from a 409's `details.reasons` after), naming
// the blocking tasks with a way to open the lead.
import { Link } from "react-router-dom";
import { ApiError } from "../api/client";
import type { MoveReason } from "../api/types";
import { reasonTasks } from "../app/moves";

/** The reasons of a refused move's 409 (`details.reasons`), none for any other failure. */
export function errorReasons(error: unknown): MoveReason[] {
  return error instanceof ApiError ? (error.details.reasons ?? []) : [];
}

/** A failure that is not a refused move, in words. */
function failureText(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong; the card is back where it was.";
  switch (error.code) {
    case "version_conflict":
    case "stale_board":
      return "Someone changed this board meanwhile; it has been reloaded. Try again.";
    case "network_error":
      return "The server cannot be reached; the card is back where it was.";
    default:
      return error.message;
  }
}

function ReasonLine({ reason }: { reason: MoveReason }) {
  const tasks = reasonTasks([reason]);
  if (tasks.length === 0) return <div>{reason.message}</div>;
  return (
    <div>
      <span>Complete the required {tasks.length === 1 ? "task" : "tasks"} first:</span>
      <ul className="move-refusal-tasks">
        {tasks.map((task) => (
          <li key={task.uid}>{task.title}</li>
        ))}
      </ul>
    </div>
  );
}

/** Tasks and fields are dealt with on the lead's page. (A card's reasons name the tasks only in
 * their message; a 409's list them.) */
function namesLeadWork(reasons: readonly MoveReason[]): boolean {
  return reasons.some(
    (reason) => reason.code === "blocking_tasks" || (reason.fields ?? []).length > 0,
  );
}

/**
 * The toast of a refused move. `reasons` are the server's (a card's move, or a 409's details);
 * without any, `error` says what else went wrong. `sent` tells a refusal the server gave ("was
 * not moved") from a drop the card's moves already refused ("cannot move").
 */
export function MoveRefusal({
  leadName,
  leadUid,
  targetName,
  reasons,
  error,
  sent,
}: {
  leadName: string;
  leadUid: string;
  targetName: string;
  reasons: readonly MoveReason[];
  error?: unknown;
  sent: boolean;
}) {
  return (
    <div className="move-refusal" data-testid="move-refusal">
      <strong className="move-refusal-title">
        “{leadName}” {sent ? "was not moved" : "cannot move"} to {targetName}
      </strong>
      {reasons.length > 0 ? (
        reasons.map((reason) => <ReasonLine key={reason.code} reason={reason} />)
      ) : (
        <div>{failureText(error)}</div>
      )}
      {namesLeadWork(reasons) ? (
        <Link to={`/leads/${encodeURIComponent(leadUid)}`} data-testid="open-lead-link">
          Open lead
        </Link>
      ) : null}
    </div>
  );
}
