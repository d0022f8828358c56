// The answers a move to a lost stage needs, asked in the same form as a stage's required
// fields (board drop, drop bar, lead page): the reason, one of the config's lost_reasons, and an
// optional note. Sent with the move in one request.
import type { Schemas } from "../api/client";

export type LostReasonOption = Schemas["FieldOption"];

export interface LostAnswer {
  reason: string;
  note: string;
}

export const NO_LOST_ANSWER: LostAnswer = { reason: "", note: "" };

/** The answer as the move's body fields: null for what was not asked or left blank. */
export function lostFields(answer: LostAnswer | null): { lost_reason: string | null; lost_note: string | null } {
  return { lost_reason: answer?.reason || null, lost_note: answer?.note.trim() || null };
}

/** The sentence over a move's form: "To move Ada to Proposal, fill in:". */
export function askIntro(leadName: string, stageName: string, fields: number, lost: boolean): string {
  if (lost && fields === 0) return `To move ${leadName} to ${stageName}, say why it was lost:`;
  if (lost) return `To move ${leadName} to ${stageName}, say why it was lost and fill in:`;
  return `To move ${leadName} to ${stageName}, fill in:`;
}

/** The label of a stored reason value, from the config (the value itself if the config lost it). */
export function lostReasonLabel(options: readonly LostReasonOption[], value: string | null): string | null {
  if (!value) return null;
  return options.find((option) => option.value === value)?.label ?? value;
}

export function LostReasonInputs({
  options,
  answer,
  error,
  disabled,
  onChange,
}: {
  options: readonly LostReasonOption[];
  answer: LostAnswer;
  error: string | null;
  disabled?: boolean;
  onChange: (answer: LostAnswer) => void;
}) {
  return (
    <div className="lost-reason-inputs" data-testid="lost-reason-inputs">
      <label className="field">
        <span className="field-label field-required">Lost reason</span>
        <select
          data-testid="lost-reason-select"
          value={answer.reason}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          onChange={(event) => onChange({ ...answer, reason: event.target.value })}
        >
          <option value="">Choose a reason…</option>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        {error ? <span className="field-error">{error}</span> : null}
        {options.length === 0 ? (
          <span className="field-help">No lost reasons are set up: an admin adds them in Settings.</span>
        ) : null}
      </label>
      <label className="field">
        <span className="field-label">Note (optional)</span>
        <textarea
          rows={2}
          data-testid="lost-note"
          value={answer.note}
          disabled={disabled}
          onChange={(event) => onChange({ ...answer, note: event.target.value })}
        />
      </label>
    </div>
  );
}

/** The lost reason's error for the form: checked before sending, or the server's. */
export function checkLostAnswer(answer: LostAnswer | null): string | null {
  if (answer && !answer.reason) return "Choose why the lead was lost";
  return null;
}
