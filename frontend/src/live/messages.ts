// What a toast says when someone else changed the lead on screen.
import type { LiveEvent } from "./events";

/** "Sam moved this lead to Qualified"; null for an event not worth a toast (a creation). */
export function changeMessage(event: LiveEvent, stageName: (uid: string) => string | undefined): string | null {
  const who = event.by?.name.trim() || null;
  // A write by the system (an import, automation) has nobody to name.
  const say = (active: string, passive: string) => (who ? `${who} ${active}` : `This lead was ${passive}`);
  switch (event.kind) {
    case "lead.moved": {
      const stage = event.to_stage ? stageName(event.to_stage) : undefined;
      const where = stage ? ` to ${stage}` : "";
      return say(`moved this lead${where}`, `moved${where}`);
    }
    case "lead.updated":
      if (event.fields.length === 1 && event.fields[0] === "assigned_to") {
        return say("reassigned this lead", "reassigned");
      }
      return say("updated this lead", "updated");
    case "lead.deleted":
      return say("deleted this lead", "deleted");
    default:
      return null;
  }
}
