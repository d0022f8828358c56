// Which rows of the lead list are picked for a bulk action: clicks, shift-click ranges, the
// whole page, or every lead the filters match (up to the bulk limit). A change of filters
// starts afresh: a selection the list no longer shows would be acted on blind.
import { useEffect, useRef, useState } from "react";
import type { LeadListItem } from "../api/types";
import { fetchMatching } from "../bulk/api";
import { NO_SELECTION, clickRow, togglePage, type Selection } from "../bulk/selection";
import type { LeadListQuery } from "./api";

export function useListSelection(rows: readonly LeadListItem[], query: LeadListQuery) {
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);
  const [matching, setMatching] = useState<{ loading: boolean; truncated: boolean; error: string | null }>({
    loading: false,
    truncated: false,
    error: null,
  });
  const names = useRef(new Map<string, string>());
  for (const row of rows) names.current.set(row.uid, row.name);
  const order = rows.map((row) => row.uid);
  const { cursor: _page, ...filters } = query;
  const filterKey = JSON.stringify(filters);

  useEffect(() => {
    setSelection(NO_SELECTION);
    setMatching({ loading: false, truncated: false, error: null });
  }, [filterKey]);

  const selectAllMatching = async () => {
    setMatching({ loading: true, truncated: false, error: null });
    try {
      const found = await fetchMatching(query);
      for (const [uid, name] of found.names) names.current.set(uid, name);
      setSelection({ uids: found.uids, anchor: null });
      setMatching({ loading: false, truncated: found.truncated, error: null });
    } catch {
      setMatching({ loading: false, truncated: false, error: "Could not fetch the matching leads; try again." });
    }
  };

  return {
    uids: selection.uids,
    selected: new Set(selection.uids),
    names: names.current,
    matching,
    pageSelected: order.length > 0 && order.every((uid) => selection.uids.includes(uid)),
    click: (uid: string, shift: boolean) => setSelection((current) => clickRow(current, order, uid, shift)),
    togglePage: () => setSelection((current) => togglePage(current, order)),
    selectAllMatching,
    clear: () => {
      setSelection(NO_SELECTION);
      setMatching({ loading: false, truncated: false, error: null });
    },
  };
}

export type ListSelection = ReturnType<typeof useListSelection>;
