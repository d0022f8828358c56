// Buttons for the stages a lead may move to next, each saying what stands in its way.
import { useState, type ReactNode } from "react";
import { ApiError } from "../api/client";
import type { FieldDefinition, Lead, Stage } from "../api/types";
import { useAuth } from "../app/auth";
import {
  FieldInput,
  fromServerValue,
  toServerValue,
  validateFieldValue,
  withoutError,
  type FieldValue,
} from "../fields";
import { Modal } from "../ui/components";
import { useToast } from "../ui/toast";
import { transitionLead, useRefreshLead } from "./api";
import { placeServerErrors, transitionHint, transitionOptions, type TransitionOption } from "./logic";

function scrollToTask(taskUid: string) {
  const row = document.querySelector<HTMLElement>(`[data-testid="task-${taskUid}"]`);
  row?.scrollIntoView?.({ behavior: "smooth", block: "center" });
  row?.classList.add("task-flash");
  window.setTimeout(() => row?.classList.remove("task-flash"), 1600);
}

export function TransitionBar({
  lead,
  stages,
  definitions,
}: {
  lead: Lead;
  stages: Stage[];
  definitions: FieldDefinition[];
}) {
  const { isAdmin } = useAuth();
  const toast = useToast();
  const refresh = useRefreshLead(lead.uid);
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<ReactNode>(null);
  const [asking, setAsking] = useState<{ option: TransitionOption; fields: FieldDefinition[] } | null>(null);

  const options = transitionOptions({ lead, stages, definitions, isAdmin });
  const current = stages.find((stage) => stage.uid === lead.current_stage);
  const closed = current !== undefined && current.kind !== "open";
  const blocking = options.find((option) => option.blockingTasks.length > 0)?.blockingTasks ?? [];

  /** POST the move; resolves to field errors when the server wants more data, else null. */
  const move = async (
    option: TransitionOption,
    data: Record<string, unknown> | null,
    note: string | null,
  ): Promise<Record<string, string> | null> => {
    setBusy(option.stage.uid);
    setProblem(null);
    try {
      const updated = await transitionLead(lead.uid, {
        to_stage: option.stage.uid,
        note,
        data,
        version: lead.version,
      });
      refresh(updated);
      setAsking(null);
      toast(`Moved to ${option.stage.name}.`, "success");
      return null;
    } catch (error) {
      if (!(error instanceof ApiError)) {
        setProblem("The lead could not be moved. Try again.");
        return null;
      }
      const reason = error.details.reason;
      if (reason === "missing_required_fields") {
        const keys = (error.details.fields as { key: string }[] | undefined)?.map((field) => field.key) ?? [];
        const needed = definitions.filter((definition) => keys.includes(definition.field_key));
        if (asking === null && needed.length > 0) {
          setAsking({ option, fields: needed });
          return null;
        }
        return placeServerErrors(error.fields, definitions).fields;
      }
      if (error.code === "version_conflict") {
        setProblem("Someone else changed this lead just now; it has been reloaded. Check it and try again.");
        refresh(null);
      } else if (Object.keys(error.fields).length > 0) {
        return placeServerErrors(error.fields, definitions).fields;
      } else {
        // blocking_tasks, not_allowed, reopen_requires_admin: the server's message names them.
        setProblem(error.message);
        refresh(null);
      }
      setAsking(null);
      return null;
    } finally {
      setBusy(null);
    }
  };

  const onClick = (option: TransitionOption) => {
    if (option.missingFields.length > 0) setAsking({ option, fields: option.missingFields });
    else void move(option, null, null);
  };

  let empty: string | null = null;
  if (options.length === 0) {
    empty = closed
      ? `This lead is ${lead.status}. Only an admin can reopen it.`
      : `${current?.name ?? "This stage"} has no next stages.`;
  }

  return (
    <div className="transition-bar" data-testid="move-bar">
      <div className="transition-row">
        <span className="transition-label">{!closed ? "Move to" : options.length > 0 ? "Reopen in" : "Closed"}</span>
        {empty ? <span className="muted">{empty}</span> : null}
        {options.map((option) => {
          const hint = transitionHint(option);
          return (
            <span className="transition-option" key={option.stage.uid}>
              <button
                type="button"
                className="btn transition-btn"
                style={{ ["--stage-color" as string]: option.stage.color }}
                data-testid={`transition-${option.stage.uid}`}
                disabled={option.disabledReason !== null || busy !== null}
                title={hint ?? `Move to ${option.stage.name}`}
                aria-describedby={hint ? `move-hint-${option.stage.uid}` : undefined}
                onClick={() => onClick(option)}
              >
                <span className="stage-dot" aria-hidden="true" />
                {busy === option.stage.uid ? "Moving…" : option.stage.name}
              </button>
              {hint ? (
                <span className="sr-only" id={`move-hint-${option.stage.uid}`}>
                  {hint}
                </span>
              ) : null}
              {option.disabledReason === null && option.missingFields.length > 0 ? (
                <span className="transition-needs">
                  needs {option.missingFields.map((field) => field.label).join(", ")}
                </span>
              ) : null}
            </span>
          );
        })}
      </div>
      {blocking.length > 0 ? (
        <div className="transition-blocked" data-testid="move-blocked">
          <strong>Can’t move on yet.</strong> Complete the required{" "}
          {blocking.length === 1 ? "task" : "tasks"} of {current?.name ?? "this stage"} first:{" "}
          {blocking.map((task, index) => (
            <span key={task.uid}>
              {index > 0 ? ", " : ""}
              <button type="button" className="btn-link" onClick={() => scrollToTask(task.uid ?? "")}>
                {task.title}
              </button>
            </span>
          ))}
          {options.some((option) => option.missingFields.length > 0) ? (
            <span className="muted">
              {" "}
              ·{" "}
              {options
                .filter((option) => option.missingFields.length > 0)
                .map(
                  (option) =>
                    `moving to ${option.stage.name} also needs ${option.missingFields.map((field) => field.label).join(", ")}`,
                )
                .join("; ")}
            </span>
          ) : null}
        </div>
      ) : null}
      {problem ? (
        <div className="banner banner-error transition-problem" role="alert">
          <span>{problem}</span>
          <button type="button" className="btn btn-small" onClick={() => setProblem(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {asking ? (
        <RequiredFieldsDialog
          lead={lead}
          option={asking.option}
          fields={asking.fields}
          busy={busy !== null}
          onCancel={() => setAsking(null)}
          onSubmit={(data, note) => move(asking.option, data, note)}
        />
      ) : null}
    </div>
  );
}

function RequiredFieldsDialog({
  lead,
  option,
  fields,
  busy,
  onCancel,
  onSubmit,
}: {
  lead: Lead;
  option: TransitionOption;
  fields: FieldDefinition[];
  busy: boolean;
  onCancel: () => void;
  onSubmit: (data: Record<string, unknown>, note: string | null) => Promise<Record<string, string> | null>;
}) {
  const [values, setValues] = useState<Record<string, FieldValue>>(() =>
    Object.fromEntries(
      fields.map((definition) => [definition.field_key, fromServerValue(definition, lead.data?.[definition.field_key])]),
    ),
  );
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = async () => {
    const found: Record<string, string> = {};
    for (const definition of fields) {
      // Entering the stage needs a value even where the field itself is optional.
      const message = validateFieldValue({ ...definition, required: true }, values[definition.field_key]);
      if (message) found[`data.${definition.field_key}`] = message;
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const data = Object.fromEntries(
      fields.map((definition) => [
        definition.field_key,
        toServerValue(definition, values[definition.field_key] ?? null),
      ]),
    );
    const serverErrors = await onSubmit(data, note.trim() || null);
    if (serverErrors) setErrors(serverErrors);
  };

  return (
    <Modal
      title={`Move to ${option.stage.name}`}
      onClose={onCancel}
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="submit"
            form="move-fields"
            className="btn btn-primary"
            disabled={busy}
            data-testid="confirm-move"
          >
            {busy ? "Moving…" : `Move to ${option.stage.name}`}
          </button>
        </>
      }
    >
      <form
        id="move-fields"
        noValidate
        data-testid="move-fields-form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <p className="muted modal-intro">
          {option.stage.name} needs {fields.length === 1 ? "this field" : "these fields"} before a lead can enter
          it; {fields.length === 1 ? "it is" : "they are"} saved with the move.
        </p>
        {fields.map((definition) => (
          <FieldInput
            key={definition.field_key}
            id={`move-field-${definition.field_key}`}
            definition={{ ...definition, required: true }}
            value={values[definition.field_key] ?? null}
            onChange={(value) => {
              setValues((current) => ({ ...current, [definition.field_key]: value }));
              setErrors((current) => withoutError(current, `data.${definition.field_key}`));
            }}
            error={errors[`data.${definition.field_key}`]}
          />
        ))}
        <label className="field">
          <span className="field-label">Note (optional)</span>
          <textarea rows={2} value={note} onChange={(event) => setNote(event.target.value)} placeholder="Why it moves now" />
        </label>
      </form>
    </Modal>
  );
}
