// Lock the workflow for good: fields can then be added and edited, never removed or retyped.
import type { Config } from "../api/types";
import { useToast } from "../ui/toast";
import { useUpdateConfig } from "./api";
import { buildLockPatch } from "./config";
import { ConfirmDialog } from "./shared";

export function LockDialog({ config, onClose }: { config: Config; onClose: () => void }) {
  const toast = useToast();
  const save = useUpdateConfig();
  const confirm = async () => {
    await save.mutateAsync(buildLockPatch(config));
    toast("The workflow is locked.", "success");
    onClose();
  };
  return (
    <ConfirmDialog
      title="Lock the workflow?"
      confirmLabel="Lock for good"
      onConfirm={confirm}
      onClose={onClose}
      testId="lock-dialog"
    >
      <p>
        Locking protects the data leads already hold: afterwards fields can still be added and
        their labels, rules and options edited, but <strong>no field can be removed or change its
        type</strong>.
      </p>
      <p>
        <strong>This is final</strong>: a locked workflow cannot be unlocked.
      </p>
    </ConfirmDialog>
  );
}
