// What the board says when a move is refused: the server's reason in words, naming the
// blocking tasks with a way to open them.
import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import { ApiError } from "../api/client";

export interface BlockingTask {
  uid: string;
  title: string;
}

export interface MissingField {
  key: string;
  label: string;
}

/** The machine-readable reason of a refused move: `details.reason` of a 409, else the code. */
export function moveReason(error: unknown): string {
  if (!(error instanceof ApiError)) return "unknown";
  const reason = error.details.reason;
  return typeof reason === "string" ? reason : error.code;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function blockingTasks(error: ApiError): BlockingTask[] {
  const tasks = error.details.tasks;
  if (!Array.isArray(tasks)) return [];
  return tasks.filter(isRecord).map((task) => ({
    uid: String(task.uid ?? ""),
    title: String(task.title ?? "a task"),
  }));
}

export function missingFields(error: ApiError): MissingField[] {
  const fields = error.details.fields;
  if (!Array.isArray(fields)) return [];
  return fields.filter(isRecord).map((field) => ({
    key: String(field.key ?? ""),
    label: String(field.label ?? field.key ?? ""),
  }));
}

export function MoveRefusal({
  leadName,
  leadUid,
  targetName,
  error,
}: {
  leadName: string;
  leadUid: string;
  targetName: string;
  error: unknown;
}) {
  const title = (
    <strong className="move-refusal-title">
      “{leadName}” was not moved to {targetName}
    </strong>
  );
  const openLead = (
    <Link to={`/leads/${encodeURIComponent(leadUid)}`} data-testid="open-lead-link">
      Open lead
    </Link>
  );
  let body: ReactNode;
  if (!(error instanceof ApiError)) {
    body = <span>Something went wrong; the card is back where it was.</span>;
  } else {
    switch (moveReason(error)) {
      case "blocking_tasks": {
        const tasks = blockingTasks(error);
        body = (
          <>
            <span>Complete the required {tasks.length === 1 ? "task" : "tasks"} first:</span>
            <ul className="move-refusal-tasks">
              {tasks.map((task) => (
                <li key={task.uid || task.title}>{task.title}</li>
              ))}
            </ul>
            {openLead}
          </>
        );
        break;
      }
      case "missing_required_fields": {
        const fields = missingFields(error);
        body = (
          <>
            <span>
              {targetName} needs {fields.map((field) => field.label).join(", ") || "more fields"}.
            </span>{" "}
            {openLead}
          </>
        );
        break;
      }
      case "version_conflict":
      case "stale_board":
        body = <span>Someone changed this board meanwhile; it has been reloaded. Try again.</span>;
        break;
      case "network_error":
        body = <span>The server cannot be reached; the card is back where it was.</span>;
        break;
      default:
        // not_allowed, same_stage, reopen_requires_admin, forbidden: the server's own sentence
        // names the stages involved.
        body = <span>{error.message}</span>;
    }
  }
  return (
    <div className="move-refusal" data-testid="move-refusal">
      {title}
      <div>{body}</div>
    </div>
  );
}
