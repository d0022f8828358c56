// Set a new password for a user; saving signs them out everywhere.
import { useState, type FormEvent } from "react";
import type { User } from "../api/types";
import { PasswordInput } from "./PasswordInput";
import { errorMessage, Field, FormDialog } from "./shared";
import { displayName } from "./users";

export function PasswordDialog({
  user,
  self,
  onSave,
  onClose,
}: {
  user: User;
  self: boolean;
  /** Saves the password; a refusal it throws is shown in the dialog. */
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
      title={`New password for ${displayName(user)}`}
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
