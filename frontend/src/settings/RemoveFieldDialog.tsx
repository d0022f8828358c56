// Remove a custom field, saying what goes with it: stage requirements and the board's totals.
import type { Config, Stage } from "../api/types";
import { useToast } from "../ui/toast";
import { useUpdateConfig } from "./api";
import { buildVariablesPatch, removeField, sortedFields } from "./config";
import { ConfirmDialog } from "./shared";

export function RemoveFieldDialog({
  config,
  stages,
  fieldKey,
  onClose,
}: {
  config: Config;
  stages: Stage[];
  fieldKey: string;
  onClose: () => void;
}) {
  const toast = useToast();
  const save = useUpdateConfig();
  const field = sortedFields(config.variables).find((item) => item.field_key === fieldKey);
  const requiring = stages.filter((stage) => (stage.required_fields ?? []).includes(fieldKey));
  const confirm = async () => {
    await save.mutateAsync(buildVariablesPatch(config, removeField(config.variables ?? [], fieldKey)));
    toast(`Field “${field?.label ?? fieldKey}” removed.`, "success");
    onClose();
  };
  return (
    <ConfirmDialog
      title={`Remove the field “${field?.label ?? fieldKey}”?`}
      confirmLabel="Remove field"
      onConfirm={confirm}
      onClose={onClose}
      testId="remove-field-dialog"
    >
      <p>
        Lead forms stop showing <code className="field-key">{fieldKey}</code> and its values are no
        longer checked.
      </p>
      {requiring.length ? (
        <p>
          {requiring.map((stage) => stage.name).join(", ")}{" "}
          {requiring.length === 1 ? "requires" : "require"} it to enter; that requirement goes too.
        </p>
      ) : null}
      {config.value_field === fieldKey ? (
        <p>It is the board's value field: the board stops showing value totals.</p>
      ) : null}
    </ConfirmDialog>
  );
}
