// Both leads side by side; the user picks the value of each conflicting field, then merges the
// other lead into this one (the server does it in one transaction and deletes the other).
import { useState } from "react";
import type { FieldDefinition, Lead } from "../api/types";
import { useLead } from "../leads/api";
import { ErrorBanner, Modal, ModalActions, Spinner } from "../ui/components";
import { useMergeLead, useMergePreview } from "./api";
import { mergeBody, mergeRows, type Side } from "./logic";

export function MergeDialog({
  lead,
  otherUid,
  definitions,
  onClose,
}: {
  lead: Lead;
  otherUid: string;
  definitions: FieldDefinition[];
  onClose: () => void;
}) {
  const other = useLead(otherUid);
  const preview = useMergePreview(lead.uid, otherUid);
  const merge = useMergeLead(lead.uid);
  const [choices, setChoices] = useState<Record<string, Side>>({});
  const ready =
    other.data && preview.data ? { other: other.data, conflicts: preview.data.conflicts } : null;
  const rows = ready ? mergeRows(lead, ready.other, definitions, ready.conflicts) : [];
  const submit = () => {
    if (!ready) return;
    merge.mutate(mergeBody(lead, ready.other, choices), { onSuccess: onClose });
  };
  return (
    <Modal
      title={`Merge ${otherUid} into ${lead.uid}`}
      onClose={onClose}
      footer={
        <ModalActions
          onCancel={onClose}
          label="Merge"
          busyLabel="Merging…"
          busy={merge.isPending}
          disabled={!ready}
          onAction={submit}
          testId="merge-confirm"
        />
      }
    >
      {other.isError ? <ErrorBanner error={other.error} /> : null}
      {preview.isError ? <ErrorBanner error={preview.error} /> : null}
      {merge.isError ? <ErrorBanner error={merge.error} /> : null}
      {!ready && !other.isError && !preview.isError ? <Spinner label="Loading the other lead" /> : null}
      {ready ? (
        <>
          <p className="muted">
            {ready.other.name} ({otherUid}) is folded into this lead and then deleted: its tasks,
            activities and history join this lead's, tags and assignees are combined. Where both
            leads hold a different value, choose which one to keep.
          </p>
          <table className="table merge-table" data-testid="merge-table">
            <thead>
              <tr>
                <th>Field</th>
                <th>This lead ({lead.uid})</th>
                <th>Other ({otherUid})</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const chosen = choices[row.field] ?? (row.mine ? "this" : "other");
                const cell = (side: Side, value: string) =>
                  row.conflict ? (
                    <label className="merge-choice">
                      <input
                        type="radio"
                        name={`merge-${row.field}`}
                        checked={chosen === side}
                        onChange={() => setChoices({ ...choices, [row.field]: side })}
                        data-testid={`choose-${side}-${row.field}`}
                      />{" "}
                      {value}
                    </label>
                  ) : (
                    <span className={chosen === side ? "" : "muted"}>{value || "—"}</span>
                  );
                return (
                  <tr key={row.field} className={row.conflict ? "merge-conflict" : ""}>
                    <th scope="row">{row.label}</th>
                    <td>{cell("this", row.mine)}</td>
                    <td>{cell("other", row.theirs)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </Modal>
  );
}
