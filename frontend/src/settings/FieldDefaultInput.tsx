// The default value of a custom field, asked for with an input that fits the field's type.
import type { FieldDraft } from "./fieldForm";

/** The default value, asked for with an input that fits the field's type. */
export function FieldDefaultInput({
  draft,
  onChange,
}: {
  draft: FieldDraft;
  onChange: (value: string | string[]) => void;
}) {
  const value = draft.default;
  const text = Array.isArray(value) ? "" : value;
  const named = draft.options.filter((option) => option.value.trim());
  switch (draft.field_type) {
    case "multi_select": {
      const chosen = Array.isArray(value) ? value : [];
      if (named.length === 0) return <span className="muted">Add options first.</span>;
      return (
        <span className="choices">
          {named.map((option) => (
            <label className="choice" key={option.value}>
              <input
                type="checkbox"
                checked={chosen.includes(option.value)}
                onChange={(event) =>
                  onChange(
                    event.target.checked
                      ? [...chosen, option.value]
                      : chosen.filter((item) => item !== option.value),
                  )
                }
              />
              {option.label || option.value}
            </label>
          ))}
        </span>
      );
    }
    case "select":
      return (
        <select name="default" value={text} onChange={(event) => onChange(event.target.value)}>
          <option value="">No default</option>
          {named.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label || option.value}
            </option>
          ))}
        </select>
      );
    case "boolean":
      return (
        <select name="default" value={text} onChange={(event) => onChange(event.target.value)}>
          <option value="">No default</option>
          <option value="true">Yes</option>
          <option value="false">No</option>
        </select>
      );
    case "integer":
    case "decimal":
    case "currency":
      return (
        <input
          name="default"
          type="number"
          step={draft.field_type === "integer" ? 1 : "any"}
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case "date":
      return <input name="default" type="date" value={text} onChange={(event) => onChange(event.target.value)} />;
    case "datetime":
      return (
        <input
          name="default"
          type="datetime-local"
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    default:
      return <input name="default" value={text} onChange={(event) => onChange(event.target.value)} />;
  }
}
