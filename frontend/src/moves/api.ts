// The server calls shared by the screens that move leads (board and lead page): undoing a move.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { refreshLead } from "../app/queries";

/** Put back the reader's own last stage change of lead `uid`; `version` is the one the move
 * answered with. A 409 (`undo_not_available`) carries the server's sentence. */
export function useUndoMove() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ uid, version }: { uid: string; version: number }) =>
      unwrap(api.POST("/api/leads/{uid}/undo/", { params: { path: { uid } }, body: { version } })),
    onSuccess: (lead) => refreshLead(queryClient, lead, lead.uid),
    onError: (_error, { uid }) => refreshLead(queryClient, null, uid),
  });
}
