// A button for every other stage, from the lead's `moves` as the server sent them: a move that
// is open moves at once (and offers Undo), one that only lacks answers (the target's required
// fields, a lost reason) asks for them, and one the server refuses is disabled with its reasons
// (on hover, and the ones to act on below).
import { useMemo, useState, type ReactNode } from "react";
import { ApiError } from "../api/client";
import type { FieldDefinition, FieldRef, Move, Stage } from "../api/types";
import { asksInline, moveState, needsLostReason, reasonFields, reasonTasks, reasonText } from "../app/moves";
import { plainTextDefinition } from "../fields";
import { lostFields, type LostReasonOption } from "../moves/LostReasonInputs";
import { UndoButton, useUndoToast } from "../moves/useUndoToast";
import { useTransitionLead } from "./api";
import { placeServerErrors } from "./logic";
import { MoveFieldsDialog, type MoveFormAnswers } from "./MoveFieldsDialog";
import { stageColorStyle, type LeadPageData } from "./ui";

function scrollToTask(taskUid: string) {
  const row = document.querySelector<HTMLElement>(`[data-testid="task-${taskUid}"]`);
  row?.scrollIntoView?.({ behavior: "smooth", block: "center" });
  row?.classList.add("task-flash");
  window.setTimeout(() => row?.classList.remove("task-flash"), 1600);
}

/** The form fields for the server's field refs; a field the config no longer defines is asked
 * for as text, under the server's label. */
function fieldsFor(refs: readonly FieldRef[], definitions: readonly FieldDefinition[]): FieldDefinition[] {
  const byKey = new Map(definitions.map((definition) => [definition.field_key, definition]));
  return refs.map((ref) => byKey.get(ref.key) ?? { ...plainTextDefinition(ref.key, ref.label), required: true });
}

/** Refusals worth a line under the buttons (e.g. only an admin may reopen), each sentence once:
 * not the pipeline's shape, which each button's title tells, nor tasks and fields, which have
 * their own lines. */
function refusalNotes(moves: readonly Move[]): string[] {
  const notes = moves
    .filter((move) => moveState(move) === "refused")
    .flatMap((move) => move.reasons)
    .filter(
      (reason) =>
        !["not_allowed", "blocking_tasks", "missing_required_fields", "lost_reason_required"].includes(reason.code),
    )
    .map((reason) => reason.message);
  return [...new Set(notes)];
}

interface Asking {
  stage: string;
  fields: FieldDefinition[];
  lost: boolean;
}

const NO_ANSWERS: MoveFormAnswers = { data: null, note: null, lost: null };

export function TransitionBar({
  lead,
  stages,
  definitions,
  lostReasons,
}: LeadPageData & { lostReasons: LostReasonOption[] }) {
  const offerUndo = useUndoToast();
  const { mutateAsync: transition } = useTransitionLead(lead.uid);
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<ReactNode>(null);
  const [asking, setAsking] = useState<Asking | null>(null);
  const names = useMemo(() => new Map(stages.map((stage) => [stage.uid, stage])), [stages]);
  const nameOf = (uid: string) => names.get(uid)?.name ?? uid;
  const blocking = reasonTasks(lead.moves.flatMap((move) => move.reasons));
  const notes = refusalNotes(lead.moves);

  const askFor = (stage: string, reasons: Move["reasons"]) =>
    setAsking({ stage, fields: fieldsFor(reasonFields(reasons), definitions), lost: needsLostReason(reasons) });

  /** POST the move; resolves to field errors when the server wants other answers, else null. */
  const move = async (stage: string, { data, note, lost }: MoveFormAnswers): Promise<Record<string, string> | null> => {
    setBusy(stage);
    setProblem(null);
    try {
      const moved = await transition({ to_stage: stage, note, data, ...lostFields(lost), version: lead.version });
      setAsking(null);
      offerUndo(moved, nameOf(stage));
      return null;
    } catch (error) {
      if (!(error instanceof ApiError)) {
        setProblem("The lead could not be moved. Try again.");
        return null;
      }
      const reasons = error.details.reasons ?? [];
      if (asksInline(reasons) && asking === null) {
        // The lead changed since it was shown: the server asks for answers after all.
        askFor(stage, reasons);
        return null;
      }
      if (asking !== null && Object.keys(error.fields).length > 0) {
        const placed = placeServerErrors(error.fields, definitions).fields;
        const lostReason = error.fields.lost_reason;
        return lostReason ? { ...placed, lost_reason: lostReason.join(" ") } : placed;
      }
      // The lead is refetched on a 409, so the buttons show the server's moves again.
      setProblem(
        error.code === "version_conflict"
          ? "Someone else changed this lead just now; it has been reloaded. Check it and try again."
          : error.message,
      );
      setAsking(null);
      return null;
    } finally {
      setBusy(null);
    }
  };

  const onClick = (target: Move) => {
    if (moveState(target) === "fields") askFor(target.to_stage, target.reasons);
    else void move(target.to_stage, NO_ANSWERS);
  };

  return (
    <div className="transition-bar" data-testid="move-bar">
      <div className="transition-row">
        <span className="transition-label">Move to</span>
        {lead.moves.length === 0 ? <span className="muted">The pipeline has no other stage.</span> : null}
        {lead.moves.map((target) => (
          <MoveButton
            key={target.to_stage}
            target={target}
            stage={names.get(target.to_stage)}
            busy={busy}
            onClick={() => onClick(target)}
          />
        ))}
        <UndoButton lead={lead} />
      </div>
      {blocking.length > 0 ? (
        <div className="transition-blocked" data-testid="move-blocked">
          <strong>Can’t move on yet.</strong> Complete the required {blocking.length === 1 ? "task" : "tasks"} of{" "}
          {nameOf(lead.current_stage)} first:{" "}
          {blocking.map((task, index) => (
            <span key={task.uid}>
              {index > 0 ? ", " : ""}
              <button type="button" className="btn-link" onClick={() => scrollToTask(task.uid)}>
                {task.title}
              </button>
            </span>
          ))}
        </div>
      ) : null}
      {notes.map((note) => (
        <div className="transition-note muted" key={note} data-testid="move-note">
          {note}
        </div>
      ))}
      {problem ? (
        <div className="banner banner-error transition-problem" role="alert">
          <span>{problem}</span>
          <button type="button" className="btn btn-small" onClick={() => setProblem(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {asking ? (
        <MoveFieldsDialog
          lead={lead}
          stageName={nameOf(asking.stage)}
          fields={asking.fields}
          lostReasons={asking.lost ? lostReasons : null}
          busy={busy !== null}
          onCancel={() => setAsking(null)}
          onSubmit={(answers) => move(asking.stage, answers)}
        />
      ) : null}
    </div>
  );
}

function MoveButton({
  target,
  stage,
  busy,
  onClick,
}: {
  target: Move;
  stage: Stage | undefined;
  busy: string | null;
  onClick: () => void;
}) {
  const state = moveState(target);
  const uid = target.to_stage;
  const name = stage?.name ?? uid;
  const fields = reasonFields(target.reasons).map((field) => field.label);
  const asks = needsLostReason(target.reasons) ? [...fields, "a lost reason"] : fields;
  const hint = state === "open" ? null : state === "fields" ? `Needs ${asks.join(", ")}.` : reasonText(target.reasons);
  return (
    <span className={`transition-option transition-${state}`}>
      <button
        type="button"
        className="btn transition-btn"
        style={stageColorStyle(stage?.color)}
        data-testid={`transition-${uid}`}
        data-move-state={state}
        disabled={state === "refused" || busy !== null}
        title={hint ?? `Move to ${name}`}
        aria-describedby={hint ? `move-hint-${uid}` : undefined}
        onClick={onClick}
      >
        <span className="stage-dot" aria-hidden="true" />
        {busy === uid ? "Moving…" : name}
      </button>
      {hint ? (
        <span className="sr-only" id={`move-hint-${uid}`}>
          {hint}
        </span>
      ) : null}
      {state === "fields" ? <span className="transition-needs">needs {asks.join(", ")}</span> : null}
    </span>
  );
}
