// A dot in the header: quiet while others' changes arrive, a word when they cannot.
import { useLiveStatus } from "./LiveProvider";
import "./live.css";

const TITLES = {
  connecting: "Connecting to live updates…",
  live: "Live: changes by others appear as they happen",
  reconnecting: "Live updates lost: reconnecting…",
} as const;

export function LiveIndicator() {
  const status = useLiveStatus();
  if (status === "off") return null;
  return (
    <span className={`live live-${status}`} data-testid="live-status" data-status={status} title={TITLES[status]}>
      <span className="live-dot" role="img" aria-label={TITLES[status]} />
      {status === "reconnecting" ? <span className="live-text">Reconnecting…</span> : null}
    </span>
  );
}
