// The Custom fields tab: the workflow settings and the custom fields every lead carries. Field
// changes PATCH the whole `variables` list with the version read.
import { useCallback, useState } from "react";
import { Loaded } from "../ui/components";
import { useConfig, useStages } from "./api";
import { FieldFormDialog } from "./FieldDialog";
import { FieldsPanel } from "./FieldsPanel";
import { LockDialog } from "./LockDialog";
import { RemoveFieldDialog } from "./RemoveFieldDialog";
import { WorkflowPanel } from "./WorkflowPanel";

type Dialog =
  | { kind: "add" }
  | { kind: "edit"; key: string }
  | { kind: "remove"; key: string }
  | { kind: "lock" };

export function FieldsTab() {
  const config = useConfig();
  const stages = useStages();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = useCallback(() => setDialog(null), []);

  return (
    <Loaded query={config} label="Loading the workflow">
      {(current) => (
        <div className="settings-stack">
          <WorkflowPanel
            key={current.version}
            config={current}
            stages={stages.data ?? []}
            stagesError={stages.isError ? stages.error : null}
            onLock={() => setDialog({ kind: "lock" })}
          />
          <FieldsPanel
            config={current}
            stages={stages.data ?? []}
            onAdd={() => setDialog({ kind: "add" })}
            onEdit={(key) => setDialog({ kind: "edit", key })}
            onRemove={(key) => setDialog({ kind: "remove", key })}
          />
          {dialog?.kind === "add" ? (
            <FieldFormDialog config={current} fieldKey={null} onClose={close} />
          ) : null}
          {dialog?.kind === "edit" ? (
            <FieldFormDialog config={current} fieldKey={dialog.key} onClose={close} />
          ) : null}
          {dialog?.kind === "remove" ? (
            <RemoveFieldDialog
              config={current}
              stages={stages.data ?? []}
              fieldKey={dialog.key}
              onClose={close}
            />
          ) : null}
          {dialog?.kind === "lock" ? <LockDialog config={current} onClose={close} /> : null}
        </div>
      )}
    </Loaded>
  );
}
