// The board's and the list's saved views: pick one (its filters go in the URL), save the
// current filters under a name (shared with the team by admins), delete one's own.
import { useState } from "react";
import { errorText } from "../api/client";
import { useAuth } from "../app/auth";
import { useDeleteView, useSaveView, useViews, type SavedView, type ViewDraft, type ViewTarget } from "./api";
import "./views.css";

interface Props {
  target: ViewTarget;
  /** The current filters as a query string (what "Save" keeps). */
  filters: string;
  /** The list's current sort (the board has none). */
  sort?: ViewDraft["sort"];
  onApply: (view: SavedView) => void;
}

export function ViewsMenu({ target, filters, sort = null, onApply }: Props) {
  const { user, isAdmin } = useAuth();
  const views = useViews(target);
  const save = useSaveView(target);
  const remove = useDeleteView(target);
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);

  const close = () => {
    setOpen(false);
    setSaving(false);
    save.reset();
  };
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    save.mutate(
      { name: name.trim(), target, filters, sort: target === "list" ? sort : null, shared },
      {
        onSuccess: () => {
          setName("");
          setShared(false);
          close();
        },
      },
    );
  };
  const mayDelete = (view: SavedView) => (view.shared ? isAdmin : view.owner === user.uid);

  return (
    <div className="views-menu" onKeyDown={(event) => event.key === "Escape" && close()}>
      <button
        type="button"
        className="btn btn-ghost btn-small"
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => (open ? close() : setOpen(true))}
        data-testid="views-button"
      >
        Views ▾
      </button>
      {open ? (
        <div className="views-popover" role="group" aria-label="Saved views">
          {views.isError ? <p className="error-text">{errorText(views.error)}</p> : null}
          <ul className="views-list">
            {(views.data ?? []).map((view) => (
              <li key={view.uid}>
                <button
                  type="button"
                  className="btn-link views-apply"
                  onClick={() => {
                    onApply(view);
                    close();
                  }}
                  data-testid="view-apply"
                >
                  {view.name}
                </button>
                {view.shared ? <small className="muted"> shared</small> : null}
                {mayDelete(view) ? (
                  <button
                    type="button"
                    className="btn-link views-delete"
                    aria-label={`Delete view ${view.name}`}
                    onClick={() => remove.mutate(view.uid)}
                  >
                    ×
                  </button>
                ) : null}
              </li>
            ))}
            {views.data && views.data.length === 0 ? <li className="muted">No saved views yet.</li> : null}
          </ul>
          {saving ? (
            <form className="views-save" onSubmit={submit}>
              <label>
                Name
                <input
                  value={name}
                  onChange={(event) => setName(event.target.value)}
                  maxLength={80}
                  required
                  autoFocus
                  data-testid="view-name"
                />
              </label>
              {isAdmin ? (
                <label className="views-shared">
                  <input type="checkbox" checked={shared} onChange={(event) => setShared(event.target.checked)} />
                  Shared with the team
                </label>
              ) : null}
              {save.isError ? (
                <p className="error-text" role="alert">
                  {errorText(save.error)}
                </p>
              ) : null}
              <div className="views-actions">
                <button type="submit" className="btn btn-primary btn-small" disabled={save.isPending || !name.trim()}>
                  Save
                </button>
                <button type="button" className="btn btn-ghost btn-small" onClick={() => setSaving(false)}>
                  Cancel
                </button>
              </div>
            </form>
          ) : (
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => setSaving(true)}
              data-testid="view-save-open"
            >
              Save current view…
            </button>
          )}
        </div>
      ) : null}
    </div>
  );
}
