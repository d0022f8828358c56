// The pipeline's stages in board order: drag (or keyboard) to reorder, add, edit, delete.
import { useCallback, useState } from "react";
import type { Stage } from "../api/types";
import { EmptyState, ErrorBanner, Loaded } from "../ui/components";
import { AddStageDialog } from "./AddStageDialog";
import { useConfig, useStages } from "./api";
import { DeleteStageDialog } from "./DeleteStageDialog";
import { EditStageDialog } from "./EditStageDialog";
import { AddButton } from "./controls";
import { SettingsSection } from "./shared";
import { StageList } from "./StageList";

// Edit follows the stage by uid, so the form opens on the latest copy. Delete holds the stage
// itself: the dialog must outlive the stage leaving the list, to say what became of its leads.
export type StageDialog = { kind: "add" } | { kind: "edit"; uid: string } | { kind: "delete"; stage: Stage };

export function StagesTab() {
  const stages = useStages();
  const config = useConfig();
  const [dialog, setDialog] = useState<StageDialog | null>(null);
  const close = useCallback(() => setDialog(null), []);

  return (
    <Loaded query={stages} label="Loading stages">
      {(list) => {
        const edited = dialog?.kind === "edit" ? list.find((s) => s.uid === dialog.uid) : undefined;
        return (
          <SettingsSection
            titleId="stages-title"
            title="Pipeline stages"
            intro={
              <>
                The board shows one column per stage, in this order. Drag a row by its handle (or
                focus the handle and use Space and the arrow keys) to reorder.
              </>
            }
            action={<AddButton label="+ Add stage" onClick={() => setDialog({ kind: "add" })} testId="add-stage" />}
          >
            {config.isError ? (
              <ErrorBanner error={config.error} onRetry={() => void config.refetch()} />
            ) : null}
            {list.length === 0 ? (
              <EmptyState title="No stages yet">
                Add the first stage of your pipeline, for example “New”. Leads are created in the
                initial stage, chosen on the Custom fields tab.
              </EmptyState>
            ) : (
              <StageList stages={list} config={config.data} onDialog={setDialog} />
            )}

            {dialog?.kind === "add" ? <AddStageDialog stages={list} onClose={close} /> : null}
            {edited ? (
              <EditStageDialog stage={edited} stages={list} config={config.data} onClose={close} />
            ) : null}
            {dialog?.kind === "delete" ? (
              <DeleteStageDialog stage={dialog.stage} stages={list} onClose={close} />
            ) : null}
          </SettingsSection>
        );
      }}
    </Loaded>
  );
}
