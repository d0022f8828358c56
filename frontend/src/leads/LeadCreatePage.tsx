// /leads/new (?name= prefills) — the full form: core fields, every custom field, assignees.
import { useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import type { FieldDefinition } from "../api/types";
import { useAuth } from "../app/auth";
import { useConfig } from "../app/queries";
import {
  FieldInput,
  emptyValue,
  sortedDefinitions,
  toServerValue,
  validateData,
  type FieldValue,
} from "../fields";
import { Loaded } from "../ui/components";
import { useToast } from "../ui/toast";
import { useCreateLead } from "./api";
import { DuplicateWarning } from "../duplicates/DuplicateWarning";
import { CORE_KEYS, coreToServer, coreValuesOf, describeSaveError, validateCore, type CoreValues } from "./logic";
import { CoreField, PersonAvatar, useUserLookup } from "./ui";
import { useFormProblems } from "./useFormProblems";
import "./leads.css";

export function LeadCreatePage() {
  const { canWrite } = useAuth();
  const config = useConfig();
  const definitions = useMemo(() => sortedDefinitions(config.data?.variables), [config.data]);

  return (
    <div className="page page-form">
      <Link to="/leads" className="back-link">
        ← All leads
      </Link>
      <div className="page-header">
        <h1>New lead</h1>
      </div>
      {!canWrite ? (
        <div className="banner banner-info">Your role can read leads but not create them.</div>
      ) : (
        <Loaded query={config} label="Loading the form">
          {() => <CreateForm definitions={definitions} />}
        </Loaded>
      )}
    </div>
  );
}

function CreateForm({ definitions }: { definitions: FieldDefinition[] }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const createLead = useCreateLead();
  const toast = useToast();
  const { user } = useAuth();
  const lookup = useUserLookup();
  const [core, setCore] = useState<CoreValues>(() => ({ ...coreValuesOf(undefined), name: params.get("name") ?? "" }));
  const [data, setData] = useState<Record<string, FieldValue>>(() =>
    Object.fromEntries(definitions.map((definition) => [definition.field_key, emptyValue(definition)])),
  );
  // Shown as the server's default (the creator); sent only once someone changes it, so the
  // server's default applies as it does to the board's quick-add.
  const [assignees, setAssignees] = useState<string[]>(() => (user.role === "viewer" ? [] : [user.uid]));
  const [assigneesChosen, setAssigneesChosen] = useState(false);
  const { errors, setErrors, banner, setBanner, clearError, refuse } = useFormProblems();
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBanner(null);
    const found: Record<string, string> = {
      ...validateCore(core),
      ...validateData(definitions, data),
    };
    const count = Object.keys(found).length;
    if (count > 0) {
      const fix = count === 1 ? "the highlighted field" : `the ${count} highlighted fields`;
      refuse(found, `Fix ${fix} to create the lead.`);
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      const lead = await createLead.mutateAsync({
        ...coreToServer(core),
        assigned_to: assigneesChosen ? assignees : null,
        data: Object.fromEntries(
          definitions.map((definition) => [
            definition.field_key,
            toServerValue(definition, data[definition.field_key] ?? null),
          ]),
        ),
      });
      const duplicates = lead.possible_duplicates.length;
      toast(
        duplicates
          ? `${lead.name} created. ${duplicates} lead${duplicates > 1 ? "s have" : " has"} the same email or phone: see Possible duplicates.`
          : `${lead.name} created.`,
        "success",
      );
      navigate(`/leads/${lead.uid}`);
    } catch (error) {
      const refused = describeSaveError(error, definitions, "The lead could not be created.");
      refuse(refused.fields, refused.banner);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="panel lead-form" onSubmit={(event) => void submit(event)} noValidate data-testid="lead-form">
      <section className="form-section">
        <h2>Contact</h2>
        <div className="form-grid">
          {CORE_KEYS.map((key) => (
            <CoreField
              key={key}
              name={key}
              values={core}
              idPrefix="lead-new"
              error={errors[key]}
              onChange={(name, value) => {
                setCore((current) => ({ ...current, [name]: value }));
                clearError(name);
              }}
            />
          ))}
        </div>
        <DuplicateWarning email={String(core.email ?? "")} phone={String(core.phone ?? "")} />
      </section>
      {definitions.length > 0 ? (
        <section className="form-section">
          <h2>Details</h2>
          <div className="form-grid">
            {definitions.map((definition) => (
              <FieldInput
                key={definition.field_key}
                id={`lead-new-data-${definition.field_key}`}
                definition={definition}
                value={data[definition.field_key] ?? null}
                error={errors[`data.${definition.field_key}`]}
                onChange={(value) => {
                  setData((current) => ({ ...current, [definition.field_key]: value }));
                  clearError(`data.${definition.field_key}`);
                }}
              />
            ))}
          </div>
        </section>
      ) : null}
      <section className="form-section">
        <h2>Assignees</h2>
        <div className="assignee-picker" role="group" aria-label="Assignees">
          {lookup.users
            .filter((person) => person.is_active && person.role !== "viewer")
            .map((person) => {
              const chosen = assignees.includes(person.uid);
              return (
                <label key={person.uid} className={`person-toggle${chosen ? " chosen" : ""}`}>
                  <input
                    type="checkbox"
                    checked={chosen}
                    onChange={(event) => {
                      setAssigneesChosen(true);
                      setAssignees((list) =>
                        event.target.checked ? [...list, person.uid] : list.filter((uid) => uid !== person.uid),
                      );
                    }}
                  />
                  <PersonAvatar uid={person.uid} lookup={lookup} />
                  {person.display_name || person.username}
                  {person.uid === user.uid ? <span className="muted"> (you)</span> : null}
                </label>
              );
            })}
        </div>
      </section>
      {banner ? (
        <div className="banner banner-error" role="alert" data-testid="form-banner">
          {banner}
        </div>
      ) : null}
      <div className="form-actions">
        <Link to="/leads" className="btn btn-ghost">
          Cancel
        </Link>
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="create-lead">
          {saving ? "Creating…" : "Create lead"}
        </button>
      </div>
    </form>
  );
}
