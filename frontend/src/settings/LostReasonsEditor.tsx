// The lost reasons a seller picks from when a lead is lost: one label input per reason.
import { newLostReasonDraft, type LostReasonDraft } from "./lostReasons";

export function LostReasonsEditor({
  drafts,
  error,
  onChange,
}: {
  drafts: LostReasonDraft[];
  error: string | undefined;
  onChange: (drafts: LostReasonDraft[]) => void;
}) {
  const set = (index: number, label: string) =>
    onChange(drafts.map((draft, i) => (i === index ? { ...draft, label } : draft)));
  return (
    <fieldset className="lost-reasons-editor" data-testid="lost-reasons-editor">
      <legend className="field-label">Lost reasons</legend>
      <p className="field-help">What a seller picks from when a lead is marked lost.</p>
      {drafts.map((draft, index) => (
        <div className="lost-reason-row" key={draft.key}>
          <input
            type="text"
            aria-label={`Lost reason ${index + 1}`}
            data-testid={`lost-reason-${index}`}
            value={draft.label}
            maxLength={80}
            onChange={(event) => set(index, event.target.value)}
          />
          <button
            type="button"
            className="btn btn-ghost btn-small"
            aria-label={`Remove ${draft.label || "this reason"}`}
            onClick={() => onChange(drafts.filter((_, i) => i !== index))}
          >
            Remove
          </button>
        </div>
      ))}
      {error ? <span className="field-error">{error}</span> : null}
      <button
        type="button"
        className="btn btn-small"
        data-testid="add-lost-reason"
        onClick={() => onChange([...drafts, newLostReasonDraft()])}
      >
        + Add a reason
      </button>
    </fieldset>
  );
}
