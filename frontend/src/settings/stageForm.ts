// The stage forms: the draft they edit, the POST and PATCH bodies built from it (a PATCH holds
// only what changed), and the server's errors put back on their inputs.
import type { Schemas } from "../api/client";
import type { Stage } from "../api/types";
import { numberText, parseCount } from "./drafts";
import { inOrderOf } from "./ordering";

export type StageKind = Schemas["StageKind"];
export type TaskPriority = Schemas["TaskPriority"];
type TaskTemplateInput = Schemas["TaskTemplateInput"];

/** A stage PATCH: only the keys sent change, and none of them may be null. */
export type StagePatch = Schemas["PatchedStageUpdateRequest"];

export const STAGE_KINDS: readonly StageKind[] = ["open", "won", "lost"];
export const STAGE_KIND_LABELS: Record<StageKind, string> = { open: "Open", won: "Won", lost: "Lost" };
export const TASK_PRIORITIES: readonly TaskPriority[] = ["low", "normal", "high", "urgent"];
/** Where a new stage's probability starts: won 100 and lost 0 as on the server, open stages low. */
export const DEFAULT_PROBABILITY: Record<StageKind, number> = { open: 10, won: 100, lost: 0 };

export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

export interface TemplateDraft {
  /** A key for React that stays put while rows are added, moved and removed. */
  key: string;
  /** The stored template's uid, kept so task instances on leads keep their link; null = new. */
  uid: string | null;
  title: string;
  description: string;
  required: boolean;
  skippable: boolean;
  due_in_hours: string;
  priority: TaskPriority;
}

export interface StageDraft {
  name: string;
  color: string;
  kind: StageKind;
  probability: string;
  description: string;
  /** "Stale after N days": blank for never. */
  rot_after_days: string;
  allowed_next_stages: string[];
  required_fields: string[];
  task_templates: TemplateDraft[];
}

export type TemplateErrors = Partial<Record<keyof TemplateDraft, string>>;

export type StageErrors = Partial<Record<keyof StageDraft | "form", string>> & {
  templates?: Record<number, TemplateErrors>;
};

let draftKeys = 0;
export function newTemplateDraft(): TemplateDraft {
  draftKeys += 1;
  return {
    key: `new-${draftKeys}`,
    uid: null,
    title: "",
    description: "",
    required: false,
    skippable: false,
    due_in_hours: "",
    priority: "normal",
  };
}

/** The form of a stage not created yet, in `color`. */
export function newStageDraft(color: string): StageDraft {
  return {
    name: "",
    color,
    kind: "open",
    probability: String(DEFAULT_PROBABILITY.open),
    description: "",
    rot_after_days: "",
    allowed_next_stages: [],
    required_fields: [],
    task_templates: [],
  };
}

function storedTemplates(stage: Stage) {
  return [...(stage.task_templates ?? [])].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

export function stageDraftFrom(stage: Stage): StageDraft {
  return {
    name: stage.name,
    color: stage.color,
    kind: stage.kind,
    probability: String(stage.probability),
    description: stage.description,
    rot_after_days: numberText(stage.rot_after_days),
    allowed_next_stages: [...(stage.allowed_next_stages ?? [])],
    required_fields: [...(stage.required_fields ?? [])],
    task_templates: storedTemplates(stage).map((template, index) => ({
      key: template.uid ?? `stored-${index}`,
      uid: template.uid ?? null,
      title: template.title,
      description: template.description ?? "",
      required: template.required ?? false,
      skippable: template.skippable ?? false,
      due_in_hours: numberText(template.due_in_hours),
      priority: template.priority ?? "normal",
    })),
  };
}

function templateInputs(drafts: readonly TemplateDraft[], errors: StageErrors): TaskTemplateInput[] {
  return drafts.map((draft, index) => {
    const title = draft.title.trim();
    const hours = parseCount(draft.due_in_hours);
    const problems: TemplateErrors = {};
    if (!title) problems.title = "A title is required";
    if (hours === "invalid" || (typeof hours === "number" && hours > 8760)) {
      problems.due_in_hours = "0 to 8760 hours";
    }
    if (Object.keys(problems).length) errors.templates = { ...errors.templates, [index]: problems };
    return {
      uid: draft.uid,
      title,
      description: draft.description.trim(),
      required: draft.required,
      skippable: draft.skippable,
      due_in_hours: typeof hours === "number" ? hours : null,
      priority: draft.priority,
      order: index,
    };
  });
}

function storedTemplateInputs(stage: Stage): TaskTemplateInput[] {
  return storedTemplates(stage).map((template, index) => ({
    uid: template.uid ?? null,
    title: template.title,
    description: template.description ?? "",
    required: template.required ?? false,
    skippable: template.skippable ?? false,
    due_in_hours: template.due_in_hours ?? null,
    priority: template.priority ?? "normal",
    order: index,
  }));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

/** Checks shared by "add" and "edit": name, color, probability. */
function checkBasics(draft: StageDraft, errors: StageErrors): number {
  if (!draft.name.trim()) errors.name = "A name is required";
  else if (draft.name.trim().length > 80) errors.name = "At most 80 characters";
  if (!HEX_COLOR.test(draft.color)) errors.color = "A color like #2563eb";
  const probability = Number(draft.probability);
  const blank = draft.probability.trim() === "";
  if (blank || !Number.isInteger(probability) || probability < 0 || probability > 100) {
    errors.probability = "A whole number from 0 to 100";
  }
  if (draft.description.length > 2000) errors.description = "At most 2000 characters";
  return probability;
}

/** "Stale after N days": a whole number from 1 to 3650, or blank (null) for never. */
function checkRotDays(draft: StageDraft, errors: StageErrors): number | null {
  const days = parseCount(draft.rot_after_days);
  if (days === "invalid" || (typeof days === "number" && (days < 1 || days > 3650))) {
    errors.rot_after_days = "A whole number of days from 1 to 3650, or blank for never";
    return null;
  }
  return typeof days === "number" ? days : null;
}

/** The POST body for a new stage (its next stages and tasks are set by editing it). */
export function buildStageCreate(draft: StageDraft): {
  body: Schemas["StageCreateRequest"];
  errors: StageErrors;
} {
  const errors: StageErrors = {};
  const probability = checkBasics(draft, errors);
  const rotAfterDays = checkRotDays(draft, errors);
  return {
    body: {
      // The server picks the uid, slug and place of a new stage (before the closed stages) and
      // wires it in after the stage before it: no order and no next stages unless chosen.
      uid: null,
      slug: null,
      order: null,
      name: draft.name.trim(),
      color: draft.color.toLowerCase(),
      kind: draft.kind,
      probability: errors.probability ? null : probability,
      description: draft.description.trim(),
      rot_after_days: rotAfterDays,
      allowed_next_stages: draft.allowed_next_stages.length > 0 ? draft.allowed_next_stages : null,
      required_fields: [],
      task_templates: [],
    },
    errors,
  };
}

/**
 * The PATCH body for an edited stage: only what changed, plus the version it was read at; null
 * when nothing changed. Template uids travel along so lead tasks stay linked to their template.
 */
export function buildStagePatch(
  stage: Stage,
  draft: StageDraft,
  pipeline: readonly string[],
  fieldKeys: readonly string[],
): { patch: StagePatch | null; errors: StageErrors } {
  const errors: StageErrors = {};
  const probability = checkBasics(draft, errors);
  const templates = templateInputs(draft.task_templates, errors);
  const rotAfterDays = checkRotDays(draft, errors);
  const patch: StagePatch = {};
  const name = draft.name.trim();
  if (name !== stage.name) patch.name = name;
  if (draft.color.toLowerCase() !== stage.color.toLowerCase()) patch.color = draft.color.toLowerCase();
  if (draft.kind !== stage.kind) patch.kind = draft.kind;
  if (!errors.probability && probability !== stage.probability) patch.probability = probability;
  if (draft.description.trim() !== stage.description) patch.description = draft.description.trim();
  if (!errors.rot_after_days && rotAfterDays !== (stage.rot_after_days ?? null)) {
    patch.rot_after_days = rotAfterDays;
  }
  const next = inOrderOf(draft.allowed_next_stages, pipeline).filter((uid) => uid !== stage.uid);
  if (!sameSet(next, stage.allowed_next_stages ?? [])) patch.allowed_next_stages = next;
  const required = inOrderOf(draft.required_fields, fieldKeys);
  if (!sameSet(required, stage.required_fields ?? [])) patch.required_fields = required;
  if (JSON.stringify(templates) !== JSON.stringify(storedTemplateInputs(stage))) {
    patch.task_templates = templates;
  }
  if (Object.keys(patch).length === 0) return { patch: null, errors };
  return { patch: { ...patch, version: stage.version }, errors };
}

const STAGE_INPUTS: readonly string[] = [
  "name",
  "color",
  "kind",
  "probability",
  "description",
  "rot_after_days",
  "allowed_next_stages",
  "required_fields",
  "task_templates",
] satisfies (keyof StageDraft)[];
const TEMPLATE_INPUTS: readonly string[] = [
  "title",
  "description",
  "due_in_hours",
  "priority",
] satisfies (keyof TemplateDraft)[];

function isStageInput(name: string): name is keyof StageDraft {
  return STAGE_INPUTS.includes(name);
}

function isTemplateInput(name: string): name is keyof TemplateDraft {
  return TEMPLATE_INPUTS.includes(name);
}

/** Server errors for a stage form: top-level inputs, template rows, and what fits nowhere. */
export function stageErrorsFromServer(fields: Record<string, string[]>): {
  errors: StageErrors;
  rest: string[];
} {
  const errors: StageErrors = {};
  const rest: string[] = [];
  for (const [path, messages] of Object.entries(fields)) {
    const message = messages.join("; ");
    const [head = "", index, attr = "title"] = path.split(".");
    if (head === "task_templates" && index !== undefined && /^\d+$/.test(index)) {
      const row = Number(index);
      if (isTemplateInput(attr)) {
        errors.templates = { ...errors.templates, [row]: { ...errors.templates?.[row], [attr]: message } };
      } else {
        rest.push(`${path}: ${message}`);
      }
    } else if (isStageInput(head)) {
      errors[head] = message;
    } else {
      rest.push(`${path}: ${message}`);
    }
  }
  return { errors, rest };
}
