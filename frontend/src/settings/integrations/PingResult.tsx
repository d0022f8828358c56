// How the test ping this screen sent went, beside the button: waiting, then the receiver's answer.
import { useDeliveries } from "./api";
import { answerLabel, deliveryStatus, durationLabel, lastAttempt } from "./format";

export function PingResult({ uid, id }: { uid: string; id: string }) {
  const deliveries = useDeliveries(uid);
  const ping = deliveries.data?.results.find((delivery) => delivery.id === id);
  if (!ping) return <span className="muted ping-result">Test ping queued…</span>;
  const status = deliveryStatus(ping);
  const last = lastAttempt(ping);
  return (
    <span className="ping-result" data-testid="ping-result" data-status={ping.status}>
      Test ping: <span className={`tone tone-${status.tone}`}>{status.label}</span>
      {last ? ` · ${answerLabel(last)} in ${durationLabel(last)}` : ""}
      {last?.error ? ` · ${last.error}` : ""}
    </span>
  );
}
