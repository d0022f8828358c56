// Line icons for the timeline (drawn here: the app ships no icon font).
import type { Activity } from "../api/types";

const PATHS: Record<Activity["type"], string[]> = {
  note: ["M4 4h11l5 5v11H4z", "M15 4v5h5", "M8 13h8", "M8 17h5"],
  call: [
    "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2",
  ],
  email: ["M3 6h18v12H3z", "M3 7l9 6 9-6"],
  meeting: [
    "M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6",
    "M3 20a6 6 0 0 1 12 0",
    "M16 5a3 3 0 0 1 0 6",
    "M18 14a5 5 0 0 1 3 6",
  ],
  stage_change: ["M4 12h14", "M13 6l6 6-6 6"],
  task: ["M4 12l5 5L20 6"],
  field_change: ["M4 20h4L19 9l-4-4L4 16z", "M13 7l4 4"],
  assignment: ["M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8", "M4 21a8 8 0 0 1 16 0"],
  system: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18", "M12 8v4", "M12 16h.01"],
};

export function ActivityIcon({ type }: { type: Activity["type"] }) {
  return (
    <span className={`activity-icon activity-icon-${type}`} aria-hidden="true">
      <svg viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        {PATHS[type].map((d) => (
          <path key={d} d={d} />
        ))}
      </svg>
    </span>
  );
}
