// The options of a select field: label and stored value per row, moved up, added and removed.
import type { FieldDraft } from "./fieldForm";
import { suggestOptionValue } from "./fieldTypes";
import { moveItem } from "./ordering";

export function FieldOptionsEditor({
  draft,
  error,
  onChange,
}: {
  draft: FieldDraft;
  error: string | undefined;
  onChange: (options: FieldDraft["options"]) => void;
}) {
  const options = draft.options;
  const set = (index: number, changes: Partial<FieldDraft["options"][number]>) =>
    onChange(options.map((option, i) => (i === index ? { ...option, ...changes } : option)));
  return (
    <fieldset className={`form-section${error ? " field-invalid" : ""}`} data-testid="options-editor">
      <legend>Options</legend>
      <p className="field-help">
        The label is what people pick; the value is what leads store (keep it stable once used).
      </p>
      {options.length === 0 ? <p className="muted">No options yet.</p> : null}
      {options.length ? (
        <div className="option-rows">
          <div className="option-row option-head">
            <span>Label</span>
            <span>Stored value</span>
            <span />
          </div>
          {options.map((option, index) => (
            <div className="option-row" key={index} data-testid={`option-row-${index}`}>
              <input
                aria-label={`Option ${index + 1} label`}
                value={option.label}
                maxLength={200}
                onChange={(event) => set(index, { label: event.target.value })}
                onBlur={() => {
                  if (!option.value.trim() && option.label.trim()) {
                    set(index, { value: suggestOptionValue(option.label) });
                  }
                }}
              />
              <input
                aria-label={`Option ${index + 1} value`}
                className="mono"
                value={option.value}
                maxLength={100}
                spellCheck={false}
                onChange={(event) => set(index, { value: event.target.value })}
              />
              <span className="option-tools">
                <button
                  type="button"
                  className="btn-icon"
                  aria-label={`Move option ${index + 1} up`}
                  disabled={index === 0}
                  onClick={() => onChange(moveItem(options, index, index - 1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="btn-icon btn-icon-danger"
                  aria-label={`Remove option ${index + 1}`}
                  onClick={() => onChange(options.filter((_, i) => i !== index))}
                >
                  ×
                </button>
              </span>
            </div>
          ))}
        </div>
      ) : null}
      {error ? <span className="field-error">{error}</span> : null}
      <button
        type="button"
        className="btn btn-small"
        onClick={() => onChange([...options, { value: "", label: "" }])}
        data-testid="add-option"
      >
        + Add option
      </button>
    </fieldset>
  );
}
