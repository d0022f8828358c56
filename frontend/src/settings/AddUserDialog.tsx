// Add a user who can sign in with the username and password given here.
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { useToast } from "../ui/toast";
import { useCreateUser } from "./api";
import { DraftField } from "./DraftField";
import { ChoiceSelect } from "./ChoiceSelect";
import { PasswordInput } from "./PasswordInput";
import { errorMessage, Field, FormDialog } from "./shared";
import {
  buildUserCreate,
  displayName,
  emptyUserDraft,
  ROLE_VALUES,
  roleText,
  userErrorsFromServer,
  type UserDraft,
  type UserErrors,
} from "./users";

export function AddUserDialog({ onClose }: { onClose: () => void }) {
  const toast = useToast();
  const create = useCreateUser();
  const [draft, setDraft] = useState<UserDraft>(emptyUserDraft);
  const [errors, setErrors] = useState<UserErrors>({});
  const [problem, setProblem] = useState<string | null>(null);
  const update = (changes: Partial<UserDraft>) => setDraft((current) => ({ ...current, ...changes }));
  const form = { draft, update, errors };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const built = buildUserCreate(draft);
    setErrors(built.errors);
    setProblem(null);
    if (Object.keys(built.errors).length) return;
    create.mutate(built.body, {
      onSuccess: (user) => {
        toast(`${displayName(user)} can now sign in as “${user.username}”.`, "success");
        onClose();
      },
      onError: (error) => {
        const mapped = error instanceof ApiError ? userErrorsFromServer(error.fields) : {};
        // A taken username is a 409 without field paths; it still belongs on the username.
        const duplicate = error instanceof ApiError && error.code === "duplicate";
        if (duplicate) mapped.username = error.message;
        setErrors(mapped);
        setProblem(duplicate ? null : errorMessage(error));
      },
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
        <DraftField form={form} name="username" label="Username" required help="Used to sign in."
          autoComplete="off" maxLength={64} />
        <DraftField form={form} name="display_name" label="Display name" help="Defaults to the username."
          maxLength={120} />
        <DraftField form={form} name="email" label="Email" type="email" maxLength={254} />
        <Field label="Role" error={errors.role}>
          <ChoiceSelect
            name="role"
            choices={ROLE_VALUES}
            label={(value) => roleText(value, true)}
            value={draft.role}
            onChange={(role) => update({ role })}
          />
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
