// The wait the server asks for after too many failed sign-ins (429 + Retry-After): the words
// for it and a countdown to its end, so the page neither hides it nor lets the user knock.
import { useEffect, useState } from "react";

/** "Too many failed sign-ins. Try again in 14 minutes." (seconds when under a minute). */
export function waitSentence(seconds: number): string {
  if (seconds < 60) {
    const left = Math.max(1, Math.ceil(seconds));
    return `Too many failed sign-ins. Try again in ${left} second${left === 1 ? "" : "s"}.`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/** 14:05 — minutes and seconds left, for the button. */
export function clock(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/**
 * Seconds left until `until` (a Date.now() moment), ticking every second; null once it has
 * passed or when there is no wait.
 */
export function useSecondsLeft(until: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [until]);
  if (until === null) return null;
  const left = (until - now) / 1000;
  return left > 0 ? left : null;
}
