// The live connection as React sees it: one LiveSync per signed-in tab (mounted inside the
// signed-in shell, so signing out closes it), its status for the header, a hold for the board's
// drags and the events for whoever wants to say something about them.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import type { LiveEvent } from "./events";
import { LiveSync, type Connect, type LiveStatus } from "./liveSync";

const SyncContext = createContext<LiveSync | null>(null);
/** "off": no live connection in this browser (no EventSource), or outside the provider. */
const StatusContext = createContext<LiveStatus | "off">("off");

const browserConnect: Connect | null =
  typeof EventSource === "undefined" ? null : (url) => new EventSource(url, { withCredentials: true });

export function LiveProvider({ children, connect = browserConnect }: { children: ReactNode; connect?: Connect | null }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [sync] = useState(() => (connect ? new LiveSync({ queryClient, connect, onStatus: setStatus }) : null));
  useEffect(() => {
    sync?.start();
    return () => sync?.stop();
  }, [sync]);
  return (
    <SyncContext.Provider value={sync}>
      <StatusContext.Provider value={sync ? status : "off"}>{children}</StatusContext.Provider>
    </SyncContext.Provider>
  );
}

export function useLiveStatus(): LiveStatus | "off" {
  return useContext(StatusContext);
}

/** While `active`, live refetches wait (they are applied when it ends). */
export function useLiveHold(active: boolean) {
  const sync = useContext(SyncContext);
  useEffect(() => {
    if (!active || !sync) return;
    return sync.hold();
  }, [active, sync]);
}

/** Calls `listener` with every event as it arrives. */
export function useLiveEvents(listener: (event: LiveEvent) => void) {
  const sync = useContext(SyncContext);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => sync?.subscribe((event) => latest.current(event)), [sync]);
}
