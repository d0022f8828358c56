// On a lead's page: a toast naming who changed the lead when someone else did (the page's data
// is refetched by the live sync; this only says why it changed).
import { useCallback } from "react";
import type { Stage } from "../api/types";
import { useAuth } from "../app/auth";
import { useToast } from "../ui/toast";
import { isLeadEvent, type LiveEvent } from "./events";
import { useLiveEvents } from "./LiveProvider";
import { changeMessage } from "./messages";

export function useLeadChangeToast(uid: string, stages: readonly Stage[] | undefined) {
  const toast = useToast();
  const { user } = useAuth();
  const onEvent = useCallback(
    (event: LiveEvent) => {
      // This user's own writes (here or in another tab) need no telling.
      if (event.uid !== uid || !isLeadEvent(event) || event.by?.uid === user.uid) return;
      const message = changeMessage(event, (stage) => stages?.find((s) => s.uid === stage)?.name);
      // One toast per lead: a burst of changes shows the latest.
      if (message) toast(message, "info", { key: `live-${uid}` });
    },
    [stages, toast, uid, user.uid],
  );
  useLiveEvents(onEvent);
}
