// The tab's one connection to `GET /api/events/`, and what it does with the events: it refetches
// what they touch through TanStack Query (the server's data decides what the screens show, the
// client computes nothing from an event), a burst in one batch, never under a card being dragged.
// No React here, so the rules can be tested with a fake EventSource and fake timers.
import type { QueryClient, QueryKey } from "@tanstack/react-query";
import type { Board, Lead, LeadPage } from "../api/types";
import { meQueryKey } from "../app/auth";
import { queryKeys } from "../app/queries";
import { LEAD_KINDS, SETUP_KINDS, isLeadEvent, parseEvent, type LiveEvent } from "./events";

export const EVENTS_URL = "/api/events/";

/** The part of the browser's EventSource used here (a fake one in tests). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

export type Connect = (url: string) => EventSourceLike;

/** `connecting` until the first connection opens; `reconnecting` after a lost one. */
export type LiveStatus = "connecting" | "live" | "reconnecting";

const CLOSED = 2;

/** A round of refetches waits this long for the events that came with the first (a burst the
 * server sent at once): one move shows without delay, fifty moves are one board load. */
export const GATHER_MS = 30;
/** And it follows the previous round by at least this much: a steady stream of events costs
 * one load of each screen per window, not one per event. */
export const BATCH_MS = 150;

/** Waits before opening a new connection after the browser gave up on one (an HTTP error,
 * which the browser does not retry by itself), growing to a ceiling. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** attempt);
}

export interface LiveSyncOptions {
  queryClient: QueryClient;
  connect: Connect;
  batchMs?: number;
  onStatus?: (status: LiveStatus) => void;
}

interface Batch {
  /** Refetch everything shown: a `resync`, or events may have been missed while disconnected. */
  all: boolean;
  stages: boolean;
  config: boolean;
  leads: LiveEvent[];
}

const emptyBatch = (): Batch => ({ all: false, stages: false, config: false, leads: [] });

const isEmpty = (batch: Batch) => !batch.all && !batch.stages && !batch.config && batch.leads.length === 0;

/** Whether `versionOf(uid)` shows the write of `event` already (a copy read after it, e.g. the
 * answer to this user's own write): then there is nothing to refetch for it. */
function alreadyShown(event: LiveEvent, versionOf: (uid: string) => number | undefined): boolean {
  if (event.kind === "lead.deleted") return false;
  const version = versionOf(event.uid);
  return version !== undefined && version >= event.version;
}

/** Whether `event` changes a board's column totals: a lead that came, went or changed column,
 * status or value. The server keeps the totals from the events' own stream, a moment after the
 * card (README: Board totals), so a board that shows the card already (this user's own write)
 * still reloads them once the event says they include it. */
function changesTotals(event: LiveEvent, board: Board | undefined): boolean {
  if (event.kind !== "lead.updated") return true;
  const valueField = board?.value_field;
  return event.fields.some((field) => field === "status" || (valueField != null && field === `data.${valueField}`));
}

function boardVersions(board: Board | undefined) {
  return (uid: string) => {
    for (const column of board?.columns ?? []) {
      const card = column.leads.find((lead) => lead.uid === uid);
      if (card) return card.version;
    }
    return undefined;
  };
}

function listVersions(page: LeadPage | undefined) {
  return (uid: string) => page?.results.find((row) => row.uid === uid)?.version;
}

export class LiveSync {
  private readonly queryClient: QueryClient;
  private readonly connect: Connect;
  private readonly batchMs: number;
  private readonly onStatus: (status: LiveStatus) => void;
  private source: EventSourceLike | null = null;
  private status: LiveStatus = "connecting";
  private attempt = 0;
  private missedSome = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = -Infinity;
  private pending: Batch = emptyBatch();
  private holds = 0;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  /** The position of the last event seen (the `ready` event's or an event's id). */
  lastSeq: number | null = null;

  constructor({ queryClient, connect, batchMs = BATCH_MS, onStatus }: LiveSyncOptions) {
    this.queryClient = queryClient;
    this.connect = connect;
    this.batchMs = batchMs;
    this.onStatus = onStatus ?? (() => undefined);
  }

  start() {
    if (this.source || this.retryTimer) return;
    this.open();
  }

  /** Closes the stream (sign-out, the app unmounted); what was not yet refetched is dropped. */
  stop() {
    this.source?.close();
    this.source = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.retryTimer = null;
    this.flushTimer = null;
    this.pending = emptyBatch();
  }

  /** Every event as it arrives (not batched, not held): for a toast about the lead on screen. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Holds refetches back (a card is being dragged, a move is on its way) until the returned
   * release is called: a refetch landing then would pull the board out from under the user. */
  hold(): () => void {
    this.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      if (this.holds === 0 && !isEmpty(this.pending)) this.schedule();
    };
  }

  private setStatus(status: LiveStatus) {
    if (status === this.status) return;
    this.status = status;
    this.onStatus(status);
  }

  private open() {
    this.retryTimer = null;
    const source = this.connect(EVENTS_URL);
    this.source = source;
    source.addEventListener("open", () => {
      if (this.source !== source) return;
      this.attempt = 0;
      this.setStatus("live");
      // Events written while the stream was down may not all come back (the server keeps a
      // window, and a new connection has no Last-Event-ID): reload what is on screen.
      if (this.missedSome) {
        this.missedSome = false;
        this.add((batch) => (batch.all = true));
      }
    });
    source.addEventListener("error", () => {
      if (this.source !== source) return;
      this.missedSome = true;
      this.setStatus("reconnecting");
      if (source.readyState !== CLOSED) return; // the browser reconnects by itself
      // An HTTP error: the browser gave up. Maybe the session ended: asking who is signed in
      // lets the app show the sign-in page (which closes this) instead of retrying forever.
      source.close();
      this.source = null;
      void this.queryClient.invalidateQueries({ queryKey: meQueryKey });
      this.retryTimer = setTimeout(() => this.open(), retryDelayMs(this.attempt));
      this.attempt += 1;
    });
    source.addEventListener("ready", (message) => this.seen(message));
    source.addEventListener("resync", (message) => {
      this.seen(message);
      this.add((batch) => (batch.all = true));
    });
    for (const kind of [...LEAD_KINDS, ...SETUP_KINDS]) {
      source.addEventListener(kind, (message) => {
        this.seen(message);
        const event = parseEvent(kind, message.data);
        if (!event) return;
        this.add((batch) => {
          if (isLeadEvent(event)) batch.leads.push(event);
          else if (event.kind === "stage.changed") batch.stages = true;
          else batch.config = true;
        });
        for (const listener of this.listeners) listener(event);
      });
    }
  }

  private seen(message: MessageEvent<string>) {
    const seq = Number(message.lastEventId);
    if (message.lastEventId !== "" && Number.isFinite(seq)) this.lastSeq = seq;
  }

  private add(change: (batch: Batch) => void) {
    change(this.pending);
    this.schedule();
  }

  private schedule() {
    // Not a debounce: a steady stream of events still refreshes the screens as it goes on.
    if (this.flushTimer) return;
    const wait = Math.max(GATHER_MS, this.lastFlush + this.batchMs - Date.now());
    this.flushTimer = setTimeout(() => this.flush(), wait);
  }

  private flush() {
    this.flushTimer = null;
    if (this.holds > 0) return; // the last release schedules it again
    this.lastFlush = Date.now();
    const batch = this.pending;
    this.pending = emptyBatch();
    const client = this.queryClient;
    if (batch.all) {
      void client.invalidateQueries();
      return;
    }
    const refetch = (queryKey: QueryKey, exact = false) => void client.invalidateQueries({ queryKey, exact });
    if (batch.config) refetch(queryKeys.config);
    if (batch.stages || batch.config) {
      // A stage or the config decides the columns and every lead's moves.
      refetch(queryKeys.stages);
      refetch(queryKeys.board);
      refetch(queryKeys.leads);
      refetch(["lead"]);
      return;
    }
    const stale = (versionOf: (uid: string) => number | undefined) =>
      batch.leads.some((event) => !alreadyShown(event, versionOf));
    const cache = client.getQueryCache();
    // One board per filter set: each asks the server again with its own filters, so what the
    // filters let through (and the totals) is the server's answer.
    for (const query of cache.findAll({ queryKey: queryKeys.board })) {
      const board = query.state.data as Board | undefined;
      const totals = batch.leads.some((event) => changesTotals(event, board));
      if (totals || stale(boardVersions(board))) refetch(query.queryKey, true);
    }
    for (const query of cache.findAll({ queryKey: queryKeys.leads })) {
      if (stale(listVersions(query.state.data as LeadPage | undefined))) refetch(query.queryKey, true);
    }
    const uids = new Set(batch.leads.map((event) => event.uid));
    for (const uid of uids) {
      const lead = client.getQueryData<Lead>(queryKeys.lead(uid));
      const events = batch.leads.filter((event) => event.uid === uid);
      // The lead with its timeline and tasks (all under its key).
      if (events.some((event) => !alreadyShown(event, () => lead?.version))) refetch(queryKeys.lead(uid));
    }
  }
}
