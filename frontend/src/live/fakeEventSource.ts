// A stand-in for the browser's EventSource in tests: the test opens it, sends it events, drops
// it. Test files only.
import type { EventSourceLike } from "./liveSync";

type Listener = (event: MessageEvent<string>) => void;

export class FakeEventSource implements EventSourceLike {
  /** Every source opened, oldest first: a reconnect adds one. */
  static opened: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }

  static reset() {
    FakeEventSource.opened = [];
  }

  static latest(): FakeEventSource {
    const source = FakeEventSource.opened.at(-1);
    if (!source) throw new Error("no EventSource was opened");
    return source;
  }

  addEventListener(type: string, listener: Listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close() {
    this.readyState = 2;
    this.closed = true;
  }

  private emit(type: string, data = "", id = "") {
    const event = new MessageEvent<string>(type, { data, lastEventId: id });
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  /** The server answered: `open`, then the `ready` event at position `seq`. */
  open(seq = 0) {
    this.readyState = 1;
    this.emit("open");
    this.emit("ready", JSON.stringify({ seq }), String(seq));
  }

  send(kind: string, body: object, seq = 1) {
    this.emit(kind, JSON.stringify(body), String(seq));
  }

  /** The connection dropped: the browser retries by itself, unless `gaveUp` (an HTTP error). */
  fail({ gaveUp = false } = {}) {
    this.readyState = gaveUp ? 2 : 0;
    this.emit("error");
  }
}

export const connectFake = (url: string) => new FakeEventSource(url);

/** A `lead.moved` event as the stream sends it. */
export function moved(uid: string, version: number, by: { uid: string; name: string } | null, to = "qualified") {
  return { kind: "lead.moved", uid, version, at: "2026-11-02T10:00:00Z", by, from_stage: "new", to_stage: to, fields: ["current_stage"] };
}
