// The audit log, read a page at a time (newest first); "Load more" follows the server's cursor.
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { AuditPage } from "../../api/types";
import type { AuditKind } from "./format";

export const PAGE_SIZE = 50;

export const auditQueryKey = (kind: AuditKind | "") => ["audit", kind] as const;

export function useAuditLog(kind: AuditKind | "") {
  return useInfiniteQuery({
    queryKey: auditQueryKey(kind),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      unwrap(
        api.GET("/api/audit/", {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(kind ? { action: `${kind}.` } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page: AuditPage) => page.next_cursor,
  });
}
