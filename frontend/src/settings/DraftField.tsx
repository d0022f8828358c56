// A labelled input bound to one text entry of a settings form's draft: the way every settings
// form asks for a name, a number or a pattern.
import type { InputHTMLAttributes, ReactNode } from "react";
import { Field } from "./shared";

/** The keys of a draft whose values are the text of an input. */
type TextKey<D> = { [K in keyof D]-?: D[K] extends string ? K : never }[keyof D] & string;

/** A form's draft, its setter and its errors, as the inputs of the form share them. */
export interface DraftForm<D> {
  draft: D;
  update: (changes: Partial<D>) => void;
  errors: Partial<Record<TextKey<D>, string>>;
}

export function DraftField<D>({
  form,
  name,
  label,
  help,
  required,
  ...input
}: {
  form: DraftForm<D>;
  name: TextKey<D>;
  label: string;
  help?: ReactNode;
  required?: boolean;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "form" | "name" | "value" | "onChange" | "required">) {
  return (
    <Field label={label} error={form.errors[name]} help={help} required={required}>
      <input
        name={name}
        {...input}
        value={String(form.draft[name])}
        onChange={(event) => form.update({ [name]: event.target.value } as Partial<D>)}
      />
    </Field>
  );
}
