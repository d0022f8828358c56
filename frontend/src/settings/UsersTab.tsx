// The team: who can sign in and with which role. Admins add users, change roles, deactivate.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState, type FormEvent } from "react";
import { ApiError, api, unwrap, type Schemas } from "../api/client";
import type { User } from "../api/types";
import { useAuth, meQueryKey } from "../app/auth";
import { initials } from "../app/queries";
import { Avatar, EmptyState, Loaded } from "../ui/components";
import { useToast } from "../ui/toast";
import type { UserPatch } from "./logic";
import {
  ConfirmDialog,
  errorMessage,
  Field,
  FormDialog,
  SettingsSection,
  useAllUsers,
  useRefreshWorkflow,
} from "./shared";

type Role = Schemas["UserRole"];
const ROLES: { value: Role; label: string; hint: string }[] = [
  { value: "admin", label: "Admin", hint: "everything, including these settings" },
  { value: "member", label: "Member", hint: "works leads" },
  { value: "viewer", label: "Viewer", hint: "reads only" },
];
const USERNAME = /^[A-Za-z0-9_.@+-]{2,64}$/;

/** PATCH a user; `me` is refreshed too, since changing yourself changes what you may see. */
function useUpdateUser() {
  const queryClient = useQueryClient();
  const refresh = useRefreshWorkflow();
  return useMutation({
    mutationFn: ({ uid, patch }: { uid: string; patch: UserPatch }) =>
      unwrap(
        api.PATCH("/api/users/{uid}/", {
          params: { path: { uid } },
          // A partial body: see UserPatch in logic.ts for why the generated type is too strict.
          body: patch as Schemas["PatchedUserUpdateRequest"],
        }),
      ),
    onSettled: async () => {
      await Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: meQueryKey })]);
    },
  });
}

type Dialog =
  | { kind: "add" }
  | { kind: "deactivate"; user: User }
  | { kind: "demote-self"; role: Role }
  | { kind: "password"; user: User };

export function UsersTab() {
  const users = useAllUsers();
  const { user: me } = useAuth();
  const toast = useToast();
  const update = useUpdateUser();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  // The last refusal per user, shown on that user's row until the next change.
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const close = useCallback(() => setDialog(null), []);

  const change = async (user: User, patch: UserPatch, done: string) => {
    // Any change can make an earlier refusal stale (e.g. another admin was reactivated).
    setRowErrors({});
    try {
      await update.mutateAsync({ uid: user.uid, patch });
      toast(done, "success");
    } catch (error) {
      setRowErrors((current) => ({ ...current, [user.uid]: errorMessage(error) }));
      throw error;
    }
  };

  const name = (user: User) => user.display_name || user.username;

  const onRole = (user: User, role: Role) => {
    if (role === user.role) return;
    if (user.uid === me.uid && role !== "admin") {
      setDialog({ kind: "demote-self", role });
      return;
    }
    change(user, { role }, `${name(user)} is now ${role === "admin" ? "an" : "a"} ${role}.`).catch(
      () => undefined,
    );
  };

  return (
    <Loaded query={users} label="Loading users">
      {(all) => {
        const list = [...all].sort(
          (a, b) => Number(b.is_active) - Number(a.is_active) || a.username.localeCompare(b.username),
        );
        const active = list.filter((user) => user.is_active).length;
        return (
          <SettingsSection
            titleId="users-title"
            title="Users"
            intro={
              <>
                {active} active of {list.length}. Admins manage these settings, members work leads,
                viewers read only.
              </>
            }
            action={
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => setDialog({ kind: "add" })}
                data-testid="add-user"
              >
                + Add user
              </button>
            }
          >
            {list.length === 0 ? (
              <EmptyState title="No users">Add the people who work the pipeline.</EmptyState>
            ) : (
              <table className="table settings-table users-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Username</th>
                    <th>Email</th>
                    <th>Role</th>
                    <th>Status</th>
                    <th aria-label="Actions" />
                  </tr>
                </thead>
                <tbody>
                  {list.map((user) => {
                    const self = user.uid === me.uid;
                    const pending = update.isPending && update.variables?.uid === user.uid;
                    return (
                      <tr
                        key={user.uid}
                        className={user.is_active ? undefined : "row-inactive"}
                        data-testid={`user-row-${user.username}`}
                      >
                        <td>
                          <span className="user-cell">
                            <Avatar label={initials(user)} title={name(user)} />
                            <span>
                              <strong>{name(user)}</strong>
                              {self ? <small className="muted"> (you)</small> : null}
                              {rowErrors[user.uid] ? (
                                <span
                                  className="field-error row-error"
                                  role="alert"
                                  data-testid={`user-error-${user.username}`}
                                >
                                  {rowErrors[user.uid]}
                                </span>
                              ) : null}
                            </span>
                          </span>
                        </td>
                        <td>
                          <code className="field-key">{user.username}</code>
                        </td>
                        <td>
                          {user.email ? (
                            <a href={`mailto:${user.email}`}>{user.email}</a>
                          ) : (
                            <span className="muted">—</span>
                          )}
                        </td>
                        <td>
                          <select
                            className="role-select"
                            aria-label={`Role of ${name(user)}`}
                            value={(pending && update.variables?.patch.role) || user.role}
                            disabled={pending}
                            onChange={(event) => onRole(user, event.target.value as Role)}
                            data-testid={`role-select-${user.username}`}
                          >
                            {ROLES.map((role) => (
                              <option key={role.value} value={role.value}>
                                {role.label}
                              </option>
                            ))}
                          </select>
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
                              onClick={() => setDialog({ kind: "password", user })}
                              data-testid={`set-password-${user.username}`}
                            >
                              New password
                            </button>
                            <button
                              type="button"
                              className={`btn btn-small${user.is_active ? " btn-ghost btn-danger-ghost" : ""}`}
                              disabled={pending}
                              onClick={() => {
                                if (user.is_active) setDialog({ kind: "deactivate", user });
                                else
                                  change(user, { is_active: true }, `${name(user)} can sign in again.`).catch(
                                    () => undefined,
                                  );
                              }}
                              data-testid={`toggle-active-${user.username}`}
                            >
                              {user.is_active ? "Deactivate" : "Reactivate"}
                            </button>
                          </div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
            <p className="muted settings-footnote">
              Roles: {ROLES.map((role) => `${role.label} — ${role.hint}`).join(" · ")}.
            </p>

            {dialog?.kind === "add" ? <AddUserDialog onClose={close} /> : null}
            {dialog?.kind === "deactivate" ? (
              <ConfirmDialog
                title={`Deactivate ${name(dialog.user)}?`}
                confirmLabel="Deactivate"
                onClose={close}
                testId="deactivate-dialog"
                onConfirm={async () => {
                  await change(dialog.user, { is_active: false }, `${name(dialog.user)} is deactivated.`);
                  close();
                }}
              >
                <p>
                  {dialog.user.uid === me.uid
                    ? "You are signed out at once and"
                    : "They are signed out everywhere and"}{" "}
                  can no longer sign in. Their leads, tasks and history stay; reactivate them any time.
                </p>
              </ConfirmDialog>
            ) : null}
            {dialog?.kind === "password" ? (
              <PasswordDialog
                user={dialog.user}
                self={dialog.user.uid === me.uid}
                onClose={close}
                onSave={async (password) => {
                  await change(dialog.user, { password }, `${name(dialog.user)} has a new password.`);
                  close();
                }}
              />
            ) : null}
            {dialog?.kind === "demote-self" ? (
              <ConfirmDialog
                title={`Make yourself ${dialog.role === "member" ? "a member" : "a viewer"}?`}
                confirmLabel="Change my role"
                onClose={close}
                onConfirm={async () => {
                  const role = dialog.role === "member" ? "a member" : "a viewer";
                  await change(me, { role: dialog.role }, `You are now ${role}.`);
                  close();
                }}
              >
                <p>You lose access to these settings at once; another admin can give it back.</p>
              </ConfirmDialog>
            ) : null}
          </SettingsSection>
        );
      }}
    </Loaded>
  );
}

function generatePassword(): string {
  // 18 characters from an alphabet without look-alikes (0/O, 1/l/I), readable over the phone.
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
}

function PasswordInput({ value, onChange }: { value: string; onChange: (password: string) => void }) {
  const [visible, setVisible] = useState(false);
  return (
    <span className="password-input">
      <input
        name="password"
        type={visible ? "text" : "password"}
        autoComplete="new-password"
        value={value}
        maxLength={256}
        onChange={(event) => onChange(event.target.value)}
      />
      <button type="button" className="btn btn-small" onClick={() => setVisible((shown) => !shown)}>
        {visible ? "Hide" : "Show"}
      </button>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => {
          onChange(generatePassword());
          setVisible(true);
        }}
      >
        Generate
      </button>
    </span>
  );
}

function PasswordDialog({
  user,
  self,
  onSave,
  onClose,
}: {
  user: User;
  self: boolean;
  onSave: (password: string) => Promise<void>;
  onClose: () => void;
}) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password.length < 8) {
      setError("At least 8 characters");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(password);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };
  return (
    <FormDialog
      title={`New password for ${user.display_name || user.username}`}
      onClose={onClose}
      onSubmit={(event) => void submit(event)}
      submitLabel="Set password"
      busyLabel="Saving…"
      busy={busy}
      testId="password-form"
    >
      <Field
        label="New password"
        error={error ?? undefined}
        required
        help={
          self
            ? "You are signed out everywhere, this browser included, and sign in again with it."
            : "They are signed out everywhere and sign in with this one from now on."
        }
      >
        <PasswordInput value={password} onChange={setPassword} />
      </Field>
    </FormDialog>
  );
}

interface UserDraft {
  username: string;
  display_name: string;
  email: string;
  role: Role;
  password: string;
}

function AddUserDialog({ onClose }: { onClose: () => void }) {
  const toast = useToast();
  const refresh = useRefreshWorkflow();
  const [draft, setDraft] = useState<UserDraft>({
    username: "",
    display_name: "",
    email: "",
    role: "member",
    password: "",
  });
  const [errors, setErrors] = useState<Partial<Record<keyof UserDraft, string>>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const update = (changes: Partial<UserDraft>) => setDraft((current) => ({ ...current, ...changes }));

  const create = useMutation({
    mutationFn: (body: Schemas["UserCreateRequest"]) => unwrap(api.POST("/api/users/", { body })),
    onSuccess: async (user) => {
      toast(`${user.display_name || user.username} can now sign in as “${user.username}”.`, "success");
      await refresh();
      onClose();
    },
    onError: (error) => {
      const fields = error instanceof ApiError ? error.fields : {};
      const mapped: Partial<Record<keyof UserDraft, string>> = {};
      for (const [path, messages] of Object.entries(fields)) {
        if (path in draft) mapped[path as keyof UserDraft] = messages.join("; ");
      }
      // A taken username is a 409 without field paths; it still belongs on the username.
      const duplicate = error instanceof ApiError && error.code === "duplicate";
      if (duplicate) mapped.username = error.message;
      setErrors(mapped);
      setProblem(duplicate ? null : errorMessage(error));
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Partial<Record<keyof UserDraft, string>> = {};
    if (!USERNAME.test(draft.username.trim())) {
      found.username = "2 to 64 letters, digits or . _ @ + -";
    }
    if (draft.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(draft.email.trim())) {
      found.email = "Not an email address";
    }
    if (draft.password.length < 8) found.password = "At least 8 characters";
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length) return;
    create.mutate({
      username: draft.username.trim(),
      display_name: draft.display_name.trim(),
      email: draft.email.trim() || null,
      role: draft.role,
      password: draft.password,
    });
  };

  return (
    <FormDialog
      title="Add a user"
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Add user"
      busyLabel="Adding…"
      busy={create.isPending}
      problem={{ message: problem }}
      className="user-form"
      testId="user-form"
    >
      <div className="form-grid">
        <Field label="Username" error={errors.username} required help="Used to sign in.">
          <input
            name="username"
            autoComplete="off"
            value={draft.username}
            maxLength={64}
            onChange={(event) => update({ username: event.target.value })}
          />
        </Field>
        <Field label="Display name" error={errors.display_name} help="Defaults to the username.">
          <input
            name="display_name"
            value={draft.display_name}
            maxLength={120}
            onChange={(event) => update({ display_name: event.target.value })}
          />
        </Field>
        <Field label="Email" error={errors.email}>
          <input
            name="email"
            type="email"
            value={draft.email}
            maxLength={254}
            onChange={(event) => update({ email: event.target.value })}
          />
        </Field>
        <Field label="Role" error={errors.role}>
          <select name="role" value={draft.role} onChange={(event) => update({ role: event.target.value as Role })}>
            {ROLES.map((role) => (
              <option key={role.value} value={role.value}>
                {role.label}: {role.hint}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field
        label="Password"
        error={errors.password}
        required
        help="At least 8 characters. Share it safely; an admin can set a new one any time."
      >
        <PasswordInput value={draft.password} onChange={(password) => update({ password })} />
      </Field>
    </FormDialog>
  );
}
