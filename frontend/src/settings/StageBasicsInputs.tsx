// The inputs both stage forms start with: name, color, kind and win probability.
import { useState } from "react";
import { DraftField } from "./DraftField";
import { ChoiceSelect } from "./ChoiceSelect";
import { Field } from "./shared";
import { HEX_COLOR, STAGE_KIND_LABELS, STAGE_KINDS, type StageDraft, type StageErrors } from "./stageForm";

function ColorInput({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (color: string) => void;
  error?: string | undefined;
}) {
  const [text, setText] = useState(value);
  const [last, setLast] = useState(value);
  // Follow the picker; keep what is typed until it is a full #RRGGBB.
  if (value !== last) {
    setLast(value);
    setText(value);
  }
  return (
    <Field label="Color" error={error} required group>
      <span className="color-input">
        <input
          type="color"
          value={HEX_COLOR.test(value) ? value : "#64748b"}
          onChange={(event) => onChange(event.target.value)}
          aria-label="Pick a color"
          data-testid="stage-color"
        />
        <input
          type="text"
          value={text}
          maxLength={7}
          spellCheck={false}
          aria-label="Color as hex"
          onChange={(event) => {
            setText(event.target.value);
            if (HEX_COLOR.test(event.target.value)) onChange(event.target.value.toLowerCase());
          }}
          onBlur={() => setText(value)}
        />
      </span>
    </Field>
  );
}

export function StageBasicsInputs({
  draft,
  errors,
  update,
  kindLocked,
}: {
  draft: StageDraft;
  errors: StageErrors;
  update: (changes: Partial<StageDraft>) => void;
  kindLocked?: boolean;
}) {
  const form = { draft, update, errors };
  return (
    <div className="form-grid">
      <DraftField form={form} name="name" label="Name" required maxLength={80} />
      <ColorInput value={draft.color} onChange={(color) => update({ color })} error={errors.color} />
      <Field
        label="Kind"
        error={errors.kind}
        help={
          kindLocked
            ? "The initial stage must stay open."
            : "Won and lost stages close a lead; open stages keep it in play."
        }
      >
        <ChoiceSelect
          name="kind"
          choices={STAGE_KINDS}
          label={(kind) => STAGE_KIND_LABELS[kind]}
          value={draft.kind}
          disabled={kindLocked}
          onChange={(kind) => update({ kind })}
        />
      </Field>
      <DraftField
        form={form}
        name="probability"
        label="Win probability (%)"
        help="Weights this stage's lead value in the board's weighted total."
        required
        type="number"
        min={0}
        max={100}
        step={1}
      />
      <DraftField
        form={form}
        name="rot_after_days"
        label="Stale after N days"
        help="A lead here with no activity or move for this many days is marked stale. Blank: never."
        type="number"
        min={1}
        max={3650}
        step={1}
      />
    </div>
  );
}
