// Quick-add at the top of the first column: type a name, press Enter. When the config marks
// custom fields required, a compact form asks for just those before anything is sent (and for
// any the server still names when it refuses). Nobody is named: the server assigns the creator.
import { memo, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { Link } from "react-router-dom";
import { ApiError, errorText } from "../api/client";
import type { FieldDefinition, Lead } from "../api/types";
import { checkFields, fieldsData, FieldsInputs, initialFields, type FieldsFormState } from "../fields";
import { useToast } from "../ui/toast";
import { requiredDefinitions, serverFieldErrors } from "./RequiredFields";

interface Props {
  variables: FieldDefinition[];
  onCreate: (name: string, data: Record<string, unknown> | undefined) => Promise<Lead>;
}

/** The data fields a refused create names, when every problem is one of those fields. */
function fieldKeysOf(error: unknown): string[] | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const paths = Object.keys(error.fields);
  if (paths.length === 0 || !paths.every((path) => path.startsWith("data."))) return null;
  return paths.map((path) => path.slice("data.".length));
}

export const QuickAdd = memo(function QuickAdd({ variables, onCreate }: Props) {
  const toast = useToast();
  const input = useRef<HTMLInputElement>(null);
  const [name, setName] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [needs, setNeeds] = useState<FieldDefinition[] | null>(null);
  const [fields, setFields] = useState<FieldsFormState>({ values: {}, errors: {} });
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    // When the compact form opens, its first field is the next thing to type in.
    if (needs) form.current?.querySelector<HTMLElement>("input, select, textarea")?.focus();
  }, [needs]);

  const reset = () => {
    setName("");
    setNeeds(null);
    setError(null);
    setFields({ values: {}, errors: {} });
    input.current?.focus();
  };

  const create = async (data: Record<string, unknown> | undefined) => {
    const trimmed = name.trim();
    if (!trimmed) return;
    setSaving(true);
    setError(null);
    try {
      const lead = await onCreate(trimmed, data);
      toast(`Added “${lead.name}”.`, "success");
      reset();
    } catch (failure) {
      const keys = fieldKeysOf(failure);
      const definitions = keys ? requiredDefinitions(variables, keys) : [];
      if (failure instanceof ApiError && keys && definitions.length === keys.length) {
        if (needs) {
          // The compact form is open: show the server's words on its fields.
          setFields((current) => ({ ...current, errors: serverFieldErrors(failure, definitions) }));
        } else {
          setNeeds(definitions);
          setFields(initialFields(definitions));
        }
      } else {
        setError(errorText(failure, "The lead could not be added."));
      }
    } finally {
      setSaving(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      if (needs || !name.trim()) return;
      // The config says which fields a new lead must have: ask for them before sending. (The
      // server's refusal still opens this form for any it asks that the config did not say.)
      const required = variables.filter((definition) => definition.required);
      if (required.length > 0) {
        setNeeds(required);
        setFields(initialFields(required));
        return;
      }
      void create(undefined);
    } else if (event.key === "Escape") {
      reset();
      input.current?.blur();
    }
  };

  const submitFields = (event: FormEvent) => {
    event.preventDefault();
    if (!needs) return;
    const errors = checkFields(needs, fields.values);
    if (Object.keys(errors).length > 0) {
      setFields({ ...fields, errors });
      return;
    }
    void create(fieldsData(needs, fields.values));
  };

  const fullForm = `/leads/new?name=${encodeURIComponent(name.trim())}`;

  return (
    <div className="quick-add">
      <input
        ref={input}
        type="text"
        className="quick-add-input"
        data-testid="quick-add-input"
        placeholder="+ Add a lead (name, Enter)"
        aria-label="New lead name"
        value={name}
        maxLength={200}
        disabled={saving}
        onChange={(event) => {
          setName(event.target.value);
          setError(null);
        }}
        onKeyDown={onKeyDown}
      />
      {error ? (
        <div className="field-error quick-add-error" role="alert">
          {error}
        </div>
      ) : null}
      {needs ? (
        <form
          ref={form}
          className="quick-add-form"
          data-testid="quick-add-form"
          onSubmit={submitFields}
          noValidate
        >
          <div className="quick-add-intro">
            {needs.length === 1 ? "One more field is" : "A few more fields are"} needed to add “
            {name.trim()}”.
          </div>
          <FieldsInputs
            definitions={needs}
            state={fields}
            onChange={setFields}
            idPrefix="quick-add-field"
            disabled={saving}
          />
          <div className="quick-add-actions">
            <button type="submit" className="btn btn-primary btn-small" disabled={saving}>
              {saving ? "Adding…" : "Add lead"}
            </button>
            <button type="button" className="btn btn-ghost btn-small" onClick={reset}>
              Cancel
            </button>
            <Link to={fullForm} className="quick-add-full">
              Open full form
            </Link>
          </div>
        </form>
      ) : null}
    </div>
  );
});
