// What a lead form shows when a save is refused, by its own checks or by the server: a message
// on each field refused, a banner above the form, and focus on the first field refused.
import { useState } from "react";
import { withoutError } from "../fields";
import { focusFirstError } from "./ui";

export function useFormProblems() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);
  const clearError = (key: string) => setErrors((current) => withoutError(current, key));
  const refuse = (fields: Record<string, string>, message: string | null = null) => {
    setErrors(fields);
    setBanner(message);
    focusFirstError(fields);
  };
  return { errors, setErrors, banner, setBanner, clearError, refuse };
}
