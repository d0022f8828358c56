// The write behind a small lead form: `saving` while it runs, and the error line shown under the
// form, which is the form's own check or why the server refused.
import { useState } from "react";
import { errorText } from "../api/client";

export function useFormWrite(failure: string) {
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  /** Runs `write` (the call and what follows its success); a throw becomes the error line. */
  const run = async (write: () => Promise<void>) => {
    setSaving(true);
    setError(null);
    try {
      await write();
    } catch (caught) {
      setError(errorText(caught, failure));
    } finally {
      setSaving(false);
    }
  };
  return { error, setError, saving, run };
}

/** The error line under a small form, when there is one. */
export function FormErrorLine({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <div className="field-error" role="alert">
      {error}
    </div>
  );
}
