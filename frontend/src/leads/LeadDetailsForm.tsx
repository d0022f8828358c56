// The lead's core fields and every custom field: an edit form for members and admins, a plain
// list for viewers.
import { useUnsavedWarning } from "../ui/useUnsavedWarning";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { FieldDefinition, Lead } from "../api/types";
import {
  FieldInput,
  formatFieldValue,
  fromServerValue,
  toServerValue,
  validateData,
  type FieldValue,
} from "../fields";
import { useToast } from "../ui/toast";
import { usePatchLead, useReloadLead, type LeadPatch } from "./api";
import {
  CORE_KEYS,
  CORE_LABELS,
  coreToServer,
  coreValuesOf,
  describeSaveError,
  validateCore,
  type CoreKey,
  type CoreValues,
} from "./logic";
import { CoreField } from "./ui";
import { useFormProblems } from "./useFormProblems";

type DataValues = Record<string, FieldValue>;

function copyCore<K extends CoreKey>(target: CoreValues, source: CoreValues, key: K) {
  target[key] = source[key];
}

function dataValuesOf(lead: Lead, definitions: FieldDefinition[]): DataValues {
  return Object.fromEntries(
    definitions.map((definition) => [
      definition.field_key,
      fromServerValue(definition, lead.data[definition.field_key]),
    ]),
  );
}

/** The lead's stored value of every form key ("email", "data.budget"), to spot others' edits. */
function snapshotOf(lead: Lead, definitions: FieldDefinition[]): Record<string, string> {
  const snapshot: Record<string, string> = {};
  for (const key of CORE_KEYS) snapshot[key] = JSON.stringify(lead[key] ?? null);
  for (const definition of definitions) {
    snapshot[`data.${definition.field_key}`] = JSON.stringify(lead.data[definition.field_key] ?? null);
  }
  return snapshot;
}

export function LeadDetailsForm({
  lead,
  definitions,
  canWrite,
}: {
  lead: Lead;
  definitions: FieldDefinition[];
  canWrite: boolean;
}) {
  if (!canWrite) return <ReadOnlyDetails lead={lead} definitions={definitions} />;
  return <EditForm lead={lead} definitions={definitions} />;
}

function ReadOnlyDetails({ lead, definitions }: { lead: Lead; definitions: FieldDefinition[] }) {
  const core = coreValuesOf(lead);
  return (
    <section className="panel lead-panel" aria-labelledby="details-title">
      <h2 id="details-title">Details</h2>
      <dl className="detail-list">
        {CORE_KEYS.map((key) => (
          <div key={key} data-testid={`field-${key}`}>
            <dt>{CORE_LABELS[key]}</dt>
            <dd>{key === "tags" ? core.tags.join(", ") || "—" : core[key] || "—"}</dd>
          </div>
        ))}
        {definitions.map((definition) => (
          <div key={definition.field_key} data-testid={`field-${definition.field_key}`}>
            <dt>{definition.label}</dt>
            <dd>{formatFieldValue(definition, lead.data[definition.field_key])}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function EditForm({ lead, definitions }: { lead: Lead; definitions: FieldDefinition[] }) {
  const toast = useToast();
  const { mutateAsync: patchLead } = usePatchLead(lead.uid);
  const reload = useReloadLead(lead.uid);
  const [core, setCore] = useState<CoreValues>(() => coreValuesOf(lead));
  const [data, setData] = useState<DataValues>(() => dataValuesOf(lead, definitions));
  const [dirty, setDirty] = useState<Set<string>>(() => new Set());
  const [base, setBase] = useState(() => ({
    version: lead.version,
    snapshot: snapshotOf(lead, definitions),
  }));
  const { errors, setErrors, banner, setBanner, clearError, refuse } = useFormProblems();
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const leaveWarning = useUnsavedWarning(dirty.size > 0);

  const reset = (source: Lead) => {
    setCore(coreValuesOf(source));
    setData(dataValuesOf(source, definitions));
    setDirty(new Set());
    setBase({ version: source.version, snapshot: snapshotOf(source, definitions) });
    setErrors({});
    setBanner(null);
    setConflict(false);
  };

  // The lead changes under the form when tasks, moves or other people write to it. Untouched
  // fields follow; the user's edits stay, and if someone changed one of those same fields the
  // form keeps the old version so saving reports the conflict instead of overwriting them.
  useEffect(() => {
    if (lead.version === base.version) return;
    if (dirty.size === 0) {
      reset(lead);
      return;
    }
    const snapshot = snapshotOf(lead, definitions);
    const clashes = [...dirty].filter((key) => snapshot[key] !== base.snapshot[key]);
    if (clashes.length > 0) {
      setConflict(true);
      return;
    }
    const fresh = coreValuesOf(lead);
    setCore((current) => {
      const next = { ...current };
      for (const key of CORE_KEYS) {
        if (!dirty.has(key)) copyCore(next, fresh, key);
      }
      return next;
    });
    setData((current) => {
      const next = { ...current };
      for (const definition of definitions) {
        if (!dirty.has(`data.${definition.field_key}`)) {
          next[definition.field_key] = fromServerValue(definition, lead.data[definition.field_key]);
        }
      }
      return next;
    });
    setBase({ version: lead.version, snapshot });
    // Only a new copy of the lead is a reason to look again; the state read here is this
    // render's, which is what the comparison needs.
  }, [lead]);

  const definitionsByKey = useMemo(
    () => new Map(definitions.map((definition) => [definition.field_key, definition])),
    [definitions],
  );

  const markDirty = (key: string) => setDirty((current) => new Set(current).add(key));

  const onCoreChange = (name: CoreKey, value: string | string[]) => {
    setCore((current) => ({ ...current, [name]: value }));
    markDirty(name);
    clearError(name);
  };

  const onDataChange = (key: string, value: FieldValue) => {
    setData((current) => ({ ...current, [key]: value }));
    markDirty(`data.${key}`);
    clearError(`data.${key}`);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (dirty.size === 0 || saving) return;
    setBanner(null);
    const changedData: Record<string, FieldValue> = {};
    for (const key of dirty) {
      if (key.startsWith("data.")) changedData[key.slice(5)] = data[key.slice(5)] ?? null;
    }
    const coreErrors = validateCore(core);
    const found: Record<string, string> = {
      ...Object.fromEntries(Object.entries(coreErrors).filter(([key]) => dirty.has(key) || key === "name")),
      // Only the fields being changed: the server checks no others on an update either.
      ...validateData(definitions, changedData, { partial: true }),
    };
    if (Object.keys(found).length > 0) {
      refuse(found);
      return;
    }
    setErrors({});
    const server = coreToServer(core);
    const patch: LeadPatch = { version: base.version };
    for (const key of CORE_KEYS) {
      if (dirty.has(key)) Object.assign(patch, { [key]: server[key] });
    }
    const dataPatch: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(changedData)) {
      const definition = definitionsByKey.get(key);
      if (definition) dataPatch[key] = toServerValue(definition, value);
    }
    if (Object.keys(dataPatch).length > 0) patch.data = dataPatch;
    setSaving(true);
    try {
      reset(await patchLead(patch));
      toast("Lead saved.", "success");
    } catch (error) {
      if (error instanceof ApiError && error.code === "version_conflict") {
        setConflict(true);
      } else {
        const refused = describeSaveError(error, definitions, "The lead could not be saved.");
        refuse(refused.fields, refused.banner);
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="panel lead-panel" aria-labelledby="details-title">
      <h2 id="details-title">Details</h2>
      {conflict ? (
        <div className="banner banner-error" role="alert" data-testid="version-conflict">
          <span>
            Someone else changed this lead while you were editing it. Reload to see their version; your unsaved
            changes are discarded.
          </span>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              reset(lead);
              reload();
            }}
          >
            Reload
          </button>
        </div>
      ) : null}
      {banner ? (
        <div className="banner banner-error" role="alert">
          {banner}
        </div>
      ) : null}
      <form className="details-form" onSubmit={(event) => void submit(event)} noValidate data-testid="lead-edit-form">
        {CORE_KEYS.map((key) => (
          <CoreField
            key={key}
            name={key}
            values={core}
            onChange={onCoreChange}
            error={errors[key]}
            idPrefix="lead-edit"
            withPlaceholder={false}
          />
        ))}
        {definitions.length > 0 ? <div className="form-divider">Custom fields</div> : null}
        {definitions.map((definition) => (
          <FieldInput
            key={definition.field_key}
            id={`lead-edit-data-${definition.field_key}`}
            definition={definition}
            value={data[definition.field_key] ?? null}
            onChange={(value) => onDataChange(definition.field_key, value)}
            error={errors[`data.${definition.field_key}`]}
          />
        ))}
        <div className="form-actions sticky-actions">
          {dirty.size > 0 ? (
            <span className="muted unsaved">
              {dirty.size} unsaved {dirty.size === 1 ? "change" : "changes"}
            </span>
          ) : (
            <span className="muted unsaved">No changes</span>
          )}
          <button type="button" className="btn btn-ghost" onClick={() => reset(lead)} disabled={dirty.size === 0 || saving}>
            Discard
          </button>
          <button type="submit" className="btn btn-primary" disabled={dirty.size === 0 || saving} data-testid="save-lead">
            {saving ? "Saving…" : "Save changes"}
          </button>
        </div>
      </form>
      {leaveWarning}
    </section>
  );
}
