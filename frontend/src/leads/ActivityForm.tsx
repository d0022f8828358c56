// The form that logs a note, call, email or meeting on the lead's timeline.
import { useState, type FormEvent } from "react";
import type { Schemas } from "../api/client";
import type { Lead } from "../api/types";
import { fromLocalInput } from "../fields";
import { useToast } from "../ui/toast";
import { useLogActivity } from "./api";
import { ActivityIcon } from "./icons";
import { FormErrorLine, useFormWrite } from "./useFormWrite";

type LoggedType = Schemas["TypeEnum"];

const LOGGED_TYPES: LoggedType[] = ["note", "call", "email", "meeting"];

const TYPE_LABELS: Record<LoggedType, string> = {
  note: "Note",
  call: "Call",
  email: "Email",
  meeting: "Meeting",
};

const OUTCOMES: Record<LoggedType, string[]> = {
  note: [],
  call: ["Connected", "Left voicemail", "No answer", "Call back later"],
  email: ["Sent", "Replied"],
  meeting: ["Held", "No-show", "Rescheduled"],
};

const BODY_PLACEHOLDERS: Record<LoggedType, string> = {
  note: "What should the team know?",
  call: "What was discussed?",
  email: "Subject and gist of the email",
  meeting: "Who attended, what was agreed",
};

export function ActivityForm({ lead }: { lead: Lead }) {
  const toast = useToast();
  const { mutateAsync: logActivity } = useLogActivity(lead.uid);
  const [type, setType] = useState<LoggedType>("note");
  const [body, setBody] = useState("");
  const [outcome, setOutcome] = useState("");
  const [duration, setDuration] = useState("");
  const [when, setWhen] = useState("");
  const { error, setError, saving, run } = useFormWrite("The activity could not be logged.");
  const timed = type === "call" || type === "meeting";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = body.trim();
    if (type === "note" && !text) {
      setError("Write the note first.");
      return;
    }
    let minutes: number | null = null;
    if (timed && duration.trim()) {
      minutes = Number(duration);
      if (!Number.isInteger(minutes) || minutes < 0 || minutes > 1440) {
        setError("Duration must be a whole number of minutes between 0 and 1440.");
        return;
      }
    }
    await run(async () => {
      await logActivity({
        type,
        body: text,
        outcome: outcome.trim() || null,
        duration_minutes: minutes,
        occurred_at: when ? fromLocalInput(when) : null,
      });
      setBody("");
      setOutcome("");
      setDuration("");
      setWhen("");
      toast(`${TYPE_LABELS[type]} logged.`, "success");
    });
  };

  return (
    <form className="activity-form" onSubmit={(event) => void submit(event)} noValidate data-testid="activity-form">
      <div className="segmented" role="radiogroup" aria-label="Activity type">
        {LOGGED_TYPES.map((option) => (
          <button
            key={option}
            type="button"
            role="radio"
            aria-checked={type === option}
            className={type === option ? "segment active" : "segment"}
            onClick={() => {
              setType(option);
              setError(null);
            }}
            data-testid={`activity-type-${option}`}
          >
            <ActivityIcon type={option} />
            {TYPE_LABELS[option]}
          </button>
        ))}
      </div>
      <textarea
        aria-label={`${TYPE_LABELS[type]} text`}
        rows={3}
        value={body}
        maxLength={10_000}
        placeholder={BODY_PLACEHOLDERS[type]}
        onChange={(event) => {
          setBody(event.target.value);
          setError(null);
        }}
        data-testid="activity-body"
      />
      {type !== "note" ? (
        <div className="activity-extra">
          <label className="field">
            <span className="field-label">Outcome</span>
            <input
              value={outcome}
              maxLength={200}
              list={`outcomes-${type}`}
              onChange={(event) => setOutcome(event.target.value)}
              placeholder={OUTCOMES[type][0]}
              data-testid="activity-outcome"
            />
            <datalist id={`outcomes-${type}`}>
              {OUTCOMES[type].map((option) => (
                <option key={option} value={option} />
              ))}
            </datalist>
          </label>
          {timed ? (
            <label className="field">
              <span className="field-label">Minutes</span>
              <input
                type="number"
                min={0}
                max={1440}
                step={1}
                value={duration}
                onChange={(event) => setDuration(event.target.value)}
                data-testid="activity-duration"
              />
            </label>
          ) : null}
          <label className="field">
            <span className="field-label">When</span>
            <input type="datetime-local" value={when} onChange={(event) => setWhen(event.target.value)} />
          </label>
        </div>
      ) : null}
      <FormErrorLine error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="log-activity">
          {saving ? "Logging…" : `Log ${TYPE_LABELS[type].toLowerCase()}`}
        </button>
      </div>
    </form>
  );
}
