// Delete a stage. When leads are in it the server says how many, and the dialog asks where they
// go before trying again.
import { useCallback, useState } from "react";
import { ApiError } from "../api/client";
import type { Stage } from "../api/types";
import { Modal, ModalActions } from "../ui/components";
import { useToast } from "../ui/toast";
import { useDeleteStage } from "./api";
import { errorMessage, Field, FormError } from "./shared";

const leads = (count: number) => `${count} lead${count === 1 ? "" : "s"}`;

export function DeleteStageDialog({
  stage,
  stages,
  onClose,
}: {
  stage: Stage;
  stages: Stage[];
  onClose: () => void;
}) {
  const toast = useToast();
  const remove = useDeleteStage();
  const others = stages.filter((s) => s.uid !== stage.uid);
  const [leadCount, setLeadCount] = useState<number | null>(null);
  const [moveTo, setMoveTo] = useState(others[0]?.uid ?? "");
  const [error, setError] = useState<string | null>(null);
  const moving = leadCount !== null;

  const confirm = () =>
    remove.mutate(
      { uid: stage.uid, moveTo: moving ? moveTo : null },
      {
        onSuccess: (result) => {
          const target = stages.find((s) => s.uid === moveTo)?.name ?? moveTo;
          toast(
            result.moved_leads
              ? `Stage “${stage.name}” deleted; ${result.moved_leads} lead(s) moved to ${target}.`
              : `Stage “${stage.name}” deleted.`,
            "success",
          );
          onClose();
        },
        onError: (caught) => {
          if (caught instanceof ApiError && caught.code === "stage_in_use") {
            const count = caught.details.lead_count ?? 0;
            setLeadCount(count > 0 ? count : 1);
            setError(null);
            return;
          }
          setError(errorMessage(caught));
        },
      },
    );

  const close = useCallback(() => {
    if (!remove.isPending) onClose();
  }, [remove.isPending, onClose]);

  return (
    <Modal
      title={`Delete stage “${stage.name}”?`}
      onClose={close}
      footer={
        <ModalActions
          onCancel={close}
          cancelDisabled={remove.isPending}
          label={moving ? `Move ${leads(leadCount)} and delete` : "Delete stage"}
          busyLabel="Deleting…"
          busy={remove.isPending}
          disabled={moving && !moveTo}
          danger
          onAction={confirm}
          testId="confirm-delete-stage"
        />
      }
    >
      <div className="settings-confirm" data-testid="delete-stage-dialog">
        <FormError message={error} />
        {moving ? (
          <>
            <p>
              <strong>
                {leadCount} lead{leadCount === 1 ? " is" : "s are"}
              </strong>{" "}
              in “{stage.name}”. They must go somewhere before the stage can be deleted.
            </p>
            <Field
              label={`Move ${leads(leadCount)} to:`}
              help="They enter that stage now, with its tasks; their history records the move."
            >
              <select
                value={moveTo}
                onChange={(event) => setMoveTo(event.target.value)}
                data-testid="move-to-select"
              >
                {others.map((other) => (
                  <option key={other.uid} value={other.uid}>
                    {other.name}
                    {other.kind !== "open" ? ` (${other.kind})` : ""}
                  </option>
                ))}
              </select>
            </Field>
          </>
        ) : (
          <p>
            The column disappears from the board and other stages stop offering it as a next
            stage. This cannot be undone.
          </p>
        )}
      </div>
    </Modal>
  );
}
