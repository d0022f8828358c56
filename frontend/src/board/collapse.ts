// Which columns of the board are collapsed, per user, kept in localStorage under the user's uid.
// A column nobody toggled is collapsed when it is a closed stage (Won, Lost): those are the
// columns a board at 1280 px can least afford, and the drop bar takes their drops.
import { useCallback, useState } from "react";
import type { BoardColumn } from "../api/types";

type Choices = Record<string, boolean>;

export function collapseKey(userUid: string): string {
  return `leadcrm.board.collapsed.${userUid}`;
}

function readChoices(userUid: string): Choices {
  try {
    const raw = window.localStorage.getItem(collapseKey(userUid));
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === "boolean")) as Choices;
  } catch {
    return {};
  }
}

export function isCollapsed(choices: Choices, column: Pick<BoardColumn, "uid" | "kind">): boolean {
  return choices[column.uid] ?? column.kind !== "open";
}

export function useCollapsedColumns(userUid: string) {
  const [choices, setChoices] = useState<Choices>(() => readChoices(userUid));
  const toggle = useCallback(
    (column: Pick<BoardColumn, "uid" | "kind">) => {
      setChoices((current) => {
        const next = { ...current, [column.uid]: !isCollapsed(current, column) };
        try {
          window.localStorage.setItem(collapseKey(userUid), JSON.stringify(next));
        } catch {
          // A full or disabled storage only loses the choice for the next visit.
        }
        return next;
      });
    },
    [userUid],
  );
  const collapsed = useCallback((column: Pick<BoardColumn, "uid" | "kind">) => isCollapsed(choices, column), [choices]);
  return { collapsed, toggle };
}
