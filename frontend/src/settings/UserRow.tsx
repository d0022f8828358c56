// One user in the team table: who they are, their role (changed in place), their status, and
// the last refusal of a change to them.
import type { User } from "../api/types";
import { initials } from "../app/queries";
import { Avatar } from "../ui/components";
import { ChoiceSelect } from "./ChoiceSelect";
import { displayName, ROLE_VALUES, roleText, type Role } from "./users";

export function UserRow({
  user,
  self,
  pendingRole,
  pending,
  error,
  onRole,
  onPassword,
  onToggleActive,
}: {
  user: User;
  /** Whether the row is the signed-in user's. */
  self: boolean;
  /** The role being saved, shown until the server answers. */
  pendingRole: Role | undefined;
  pending: boolean;
  error: string | undefined;
  onRole: (role: Role) => void;
  onPassword: () => void;
  onToggleActive: () => void;
}) {
  const name = displayName(user);
  return (
    <tr className={user.is_active ? undefined : "row-inactive"} data-testid={`user-row-${user.username}`}>
      <td>
        <span className="user-cell">
          <Avatar label={initials(user)} title={name} />
          <span>
            <strong>{name}</strong>
            {self ? <small className="muted"> (you)</small> : null}
            {error ? (
              <span
                className="field-error row-error"
                role="alert"
                data-testid={`user-error-${user.username}`}
              >
                {error}
              </span>
            ) : null}
          </span>
        </span>
      </td>
      <td>
        <code className="field-key">{user.username}</code>
      </td>
      <td>
        {user.email ? <a href={`mailto:${user.email}`}>{user.email}</a> : <span className="muted">—</span>}
      </td>
      <td>
        <ChoiceSelect
          className="role-select"
          aria-label={`Role of ${name}`}
          choices={ROLE_VALUES}
          label={(value) => roleText(value, false)}
          value={pendingRole ?? user.role}
          disabled={pending}
          onChange={onRole}
          data-testid={`role-select-${user.username}`}
        />
      </td>
      <td>
        {user.is_active ? (
          <span className="badge badge-won">Active</span>
        ) : (
          <span className="badge">Deactivated</span>
        )}
      </td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="btn btn-small btn-ghost"
            disabled={pending || !user.is_active}
            onClick={onPassword}
            data-testid={`set-password-${user.username}`}
          >
            New password
          </button>
          <button
            type="button"
            className={`btn btn-small${user.is_active ? " btn-ghost btn-danger-ghost" : ""}`}
            disabled={pending}
            onClick={onToggleActive}
            data-testid={`toggle-active-${user.username}`}
          >
            {user.is_active ? "Deactivate" : "Reactivate"}
          </button>
        </div>
      </td>
    </tr>
  );
}
