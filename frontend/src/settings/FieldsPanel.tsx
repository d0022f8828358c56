// The custom fields every lead carries, in form order: move them up and down, add, edit, remove.
import type { Config, Stage } from "../api/types";
import { EmptyState } from "../ui/components";
import { useToast } from "../ui/toast";
import { useUpdateConfig } from "./api";
import { buildVariablesPatch, sortedFields } from "./config";
import { FieldRow } from "./FieldRow";
import { LOCK_REASON } from "./fieldTypes";
import { moveItem } from "./ordering";
import { AddButton } from "./controls";
import { errorMessage, SettingsSection } from "./shared";

export function FieldsPanel({
  config,
  stages,
  onAdd,
  onEdit,
  onRemove,
}: {
  config: Config;
  stages: Stage[];
  onAdd: () => void;
  onEdit: (key: string) => void;
  onRemove: (key: string) => void;
}) {
  const toast = useToast();
  const save = useUpdateConfig();
  const fields = sortedFields(config.variables);
  const locked = config.locked;
  const requiredBy = (key: string) =>
    stages.filter((stage) => (stage.required_fields ?? []).includes(key)).map((s) => s.name);

  const move = (from: number, to: number) => {
    save.mutate(buildVariablesPatch(config, moveItem(fields, from, to)), {
      onError: (error) => toast(`The order was not saved: ${errorMessage(error)}`, "error"),
    });
  };

  return (
    <SettingsSection
      titleId="fields-title"
      title="Custom fields"
      intro={
        <>
          Every lead carries these fields; lead forms show them in this order and check values
          against these rules.
        </>
      }
      action={<AddButton label="+ Add field" onClick={onAdd} testId="add-field" />}
    >
      {locked ? (
        <div className="banner banner-info" data-testid="lock-reason">
          <span>{LOCK_REASON}.</span>
        </div>
      ) : null}
      {fields.length === 0 ? (
        <EmptyState title="No custom fields yet">
          Add fields such as a budget, an industry or an expected close date; stages can then
          require them.
        </EmptyState>
      ) : (
        <table className="table settings-table fields-table">
          <thead>
            <tr>
              <th className="col-order" aria-label="Order" />
              <th>Label</th>
              <th>Key</th>
              <th>Type</th>
              <th>Input</th>
              <th>Required</th>
              <th>Options</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {fields.map((field, index) => (
              <FieldRow
                key={field.field_key}
                field={field}
                index={index}
                count={fields.length}
                isValueField={config.value_field === field.field_key}
                requiredBy={requiredBy(field.field_key)}
                locked={locked}
                busy={save.isPending}
                onMove={move}
                onEdit={() => onEdit(field.field_key)}
                onRemove={() => onRemove(field.field_key)}
              />
            ))}
          </tbody>
        </table>
      )}
    </SettingsSection>
  );
}
