// A lead's statuses as the API names them (WorkItemStatus, also the `status` filter it takes),
// as the screens show them, and the status filter of the board and the lead list.
import type { Schemas } from "../api/client";

export type LeadStatus = Schemas["WorkItemStatus"];

export const LEAD_STATUSES = ["open", "won", "lost", "archived"] as const satisfies readonly LeadStatus[];

export const STATUS_LABELS: Record<LeadStatus, string> = {
  open: "Open",
  won: "Won",
  lost: "Lost",
  archived: "Archived",
};

/** Whether `value` names a status (a hand-edited URL may hold anything). */
export function isLeadStatus(value: string): value is LeadStatus {
  return LEAD_STATUSES.some((status) => status === value);
}

/** The status filter of the board and of the lead list: any status, or one. */
export function StatusFilterSelect({
  value,
  onChange,
}: {
  value: string;
  onChange: (status: string) => void;
}) {
  return (
    <select
      aria-label="Status"
      data-testid="filter-status"
      value={value}
      onChange={(event) => onChange(event.target.value)}
    >
      <option value="">Any status</option>
      {LEAD_STATUSES.map((status) => (
        <option key={status} value={status}>
          {STATUS_LABELS[status]}
        </option>
      ))}
    </select>
  );
}
