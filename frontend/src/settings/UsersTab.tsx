// The team: who can sign in and with which role. Admins add users, change roles, deactivate.
import { useCallback, useState } from "react";
import type { User } from "../api/types";
import { useAuth } from "../app/auth";
import { EmptyState, Loaded } from "../ui/components";
import { useToast } from "../ui/toast";
import { AddUserDialog } from "./AddUserDialog";
import { useAllUsers, useUpdateUser } from "./api";
import { PasswordDialog } from "./PasswordDialog";
import { AddButton } from "./controls";
import { ConfirmDialog, errorMessage, SettingsSection } from "./shared";
import { UserRow } from "./UserRow";
import { displayName, ROLES, sortUsers, type Role, type UserPatch } from "./users";

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

  /** Save `patch` and say `done`; a refusal shows on the user's row, and is thrown for dialogs. */
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
  const changeInRow = (user: User, patch: UserPatch, done: string) =>
    change(user, patch, done).catch(() => undefined);

  const onRole = (user: User, role: Role) => {
    if (role === user.role) return;
    if (user.uid === me.uid && role !== "admin") {
      setDialog({ kind: "demote-self", role });
      return;
    }
    const done = `${displayName(user)} is now ${role === "admin" ? "an" : "a"} ${role}.`;
    void changeInRow(user, { role }, done);
  };

  return (
    <Loaded query={users} label="Loading users">
      {(all) => {
        const list = sortUsers(all);
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
            action={<AddButton label="+ Add user" onClick={() => setDialog({ kind: "add" })} testId="add-user" />}
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
                    const pending = update.isPending && update.variables?.uid === user.uid;
                    return (
                      <UserRow
                        key={user.uid}
                        user={user}
                        self={user.uid === me.uid}
                        pending={pending}
                        pendingRole={pending ? update.variables?.patch.role : undefined}
                        error={rowErrors[user.uid]}
                        onRole={(role) => onRole(user, role)}
                        onPassword={() => setDialog({ kind: "password", user })}
                        onToggleActive={() => {
                          if (user.is_active) setDialog({ kind: "deactivate", user });
                          else {
                            const done = `${displayName(user)} can sign in again.`;
                            void changeInRow(user, { is_active: true }, done);
                          }
                        }}
                      />
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
                title={`Deactivate ${displayName(dialog.user)}?`}
                confirmLabel="Deactivate"
                onClose={close}
                testId="deactivate-dialog"
                onConfirm={async () => {
                  const done = `${displayName(dialog.user)} is deactivated.`;
                  await change(dialog.user, { is_active: false }, done);
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
                  await change(dialog.user, { password }, `${displayName(dialog.user)} has a new password.`);
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
