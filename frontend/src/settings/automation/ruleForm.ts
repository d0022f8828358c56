// A rule form's draft (trigger and actions as the inputs hold them), the body it sends, and
// where the server's refusals go. What a rule may name (stages, active users, field values,
// webhooks) is checked by the server; its 400 names the path (`actions.0.users.1`) and the form
// shows the message at that input.
import type { FieldDefinition } from "../../api/types";
import { blankValue, fromServerValue, toServerValue, type FieldValue } from "../../fields";
import type { ActionIn, Rule, RuleCreate, RulePatch, TriggerIn } from "./api";

export type TriggerKind = TriggerIn["kind"];
export type ActionKind = ActionIn["kind"];

export const TRIGGER_CHOICES: { value: TriggerKind; label: string }[] = [
  { value: "lead_created", label: "A lead is created" },
  { value: "stage_entered", label: "A lead enters a stage" },
  { value: "task_completed", label: "A task is completed" },
];

export const ACTION_CHOICES: { value: ActionKind; label: string }[] = [
  { value: "assign", label: "Assign" },
  { value: "add_task", label: "Add a task" },
  { value: "set_field", label: "Set a field" },
  { value: "add_tag", label: "Add a tag" },
  { value: "send_webhook", label: "Send to a webhook" },
];

export const MAX_ACTIONS = 10;

export interface TriggerDraft {
  kind: TriggerKind;
  /** stage_entered: the stage; task_completed: the task's stage, "" for any. */
  stage: string;
  /** task_completed: the task's title, "" for any. */
  title: string;
}

/** One action as the inputs hold it: every kind's inputs, so switching kind loses nothing. */
export interface ActionDraft {
  /** Keeps an action's inputs in place while others are added, moved or removed. */
  key: number;
  kind: ActionKind;
  users: string[];
  title: string;
  dueInDays: string;
  required: boolean;
  field: string;
  value: FieldValue;
  tag: string;
  webhook: string;
}

export interface RuleDraft {
  name: string;
  active: boolean;
  trigger: TriggerDraft;
  actions: ActionDraft[];
}

let nextKey = 1;

export function newAction(kind: ActionKind = "add_task"): ActionDraft {
  return {
    key: nextKey++,
    kind,
    users: [],
    title: "",
    dueInDays: "",
    required: false,
    field: "",
    value: "",
    tag: "",
    webhook: "",
  };
}

export function emptyRule(): RuleDraft {
  return { name: "", active: true, trigger: { kind: "stage_entered", stage: "", title: "" }, actions: [newAction()] };
}

function definitionOf(definitions: FieldDefinition[], key: string): FieldDefinition | undefined {
  return definitions.find((definition) => definition.field_key === key);
}

function actionDraft(action: Rule["actions"][number], definitions: FieldDefinition[]): ActionDraft {
  const draft = newAction(action.kind);
  switch (action.kind) {
    case "assign":
      return { ...draft, users: action.users };
    case "add_task":
      return {
        ...draft,
        title: action.title,
        dueInDays: action.due_in_days === null ? "" : String(action.due_in_days),
        required: action.required,
      };
    case "set_field": {
      const definition = definitionOf(definitions, action.field);
      // A field deleted since keeps its value as text: the server names the problem on save.
      const value = definition ? fromServerValue(definition, action.value) : String(action.value ?? "");
      return { ...draft, field: action.field, value };
    }
    case "add_tag":
      return { ...draft, tag: action.tag };
    case "send_webhook":
      return { ...draft, webhook: action.webhook };
  }
}

export function draftOf(rule: Rule, definitions: FieldDefinition[]): RuleDraft {
  const trigger = rule.trigger;
  return {
    name: rule.name,
    active: rule.active,
    trigger: {
      kind: trigger.kind,
      stage: trigger.kind === "lead_created" ? "" : (trigger.stage ?? ""),
      title: trigger.kind === "task_completed" ? (trigger.title ?? "") : "",
    },
    actions: rule.actions.map((action) => actionDraft(action, definitions)),
  };
}

/** A field picked anew starts from that field's blank value (a list for a multi-select...). */
export function withField(action: ActionDraft, key: string, definitions: FieldDefinition[]): ActionDraft {
  const definition = definitionOf(definitions, key);
  return { ...action, field: key, value: definition ? blankValue(definition) : "" };
}

function triggerBody(trigger: TriggerDraft): TriggerIn {
  switch (trigger.kind) {
    case "lead_created":
      return { kind: "lead_created" };
    case "stage_entered":
      return { kind: "stage_entered", stage: trigger.stage };
    case "task_completed":
      return { kind: "task_completed", stage: trigger.stage || null, title: trigger.title.trim() || null };
  }
}

/** "" is no due date; anything else goes as typed when it is not a whole number, for the server to name. */
function dueBody(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : (trimmed as unknown as number);
}

function actionBody(action: ActionDraft, definitions: FieldDefinition[]): ActionIn {
  switch (action.kind) {
    case "assign":
      return { kind: "assign", users: action.users };
    case "add_task":
      return { kind: "add_task", title: action.title.trim(), due_in_days: dueBody(action.dueInDays), required: action.required };
    case "set_field": {
      const definition = definitionOf(definitions, action.field);
      return { kind: "set_field", field: action.field, value: definition ? toServerValue(definition, action.value) : action.value };
    }
    case "add_tag":
      return { kind: "add_tag", tag: action.tag.trim() };
    case "send_webhook":
      return { kind: "send_webhook", webhook: action.webhook };
  }
}

export function ruleBody(draft: RuleDraft, definitions: FieldDefinition[]): RuleCreate {
  return {
    name: draft.name.trim(),
    active: draft.active,
    trigger: triggerBody(draft.trigger),
    actions: draft.actions.map((action) => actionBody(action, definitions)),
  };
}

/** An edit sends the whole rule with the version it was opened on: a stale one is a 409. */
export function rulePatch(rule: Rule, draft: RuleDraft, definitions: FieldDefinition[]): RulePatch {
  return { ...ruleBody(draft, definitions), version: rule.version };
}

/** `list` with the item at `index` moved by `step` (-1 up, +1 down); unchanged at the ends. */
export function moved<T>(list: T[], index: number, step: -1 | 1): T[] {
  const target = index + step;
  if (target < 0 || target >= list.length) return list;
  const copy = [...list];
  [copy[index], copy[target]] = [copy[target] as T, copy[index] as T];
  return copy;
}

/* ---------------------------------------------------------------- the server's refusals */

export type ActionPart = "kind" | "users" | "title" | "due_in_days" | "required" | "field" | "value" | "tag" | "webhook";

export type ActionErrors = Partial<Record<ActionPart, string>> & {
  /** `users.1`: the message for that user, by uid. */
  byUser?: Record<string, string>;
};

export interface RuleErrors {
  name?: string;
  trigger?: string;
  triggerStage?: string;
  triggerTitle?: string;
  /** About the list itself (none, or more than ten). */
  actions?: string;
  /** Per action, per input. */
  action: Record<number, ActionErrors>;
  /** What no input shows. */
  lines: string[];
}

export const NO_ERRORS: RuleErrors = { action: {}, lines: [] };

const KIND_TAGS = new Set<string>([...TRIGGER_CHOICES, ...ACTION_CHOICES].map((choice) => choice.value));
const ACTION_PARTS = new Set<string>(["kind", "users", "title", "due_in_days", "required", "field", "value", "tag", "webhook"]);

function joined(earlier: string | undefined, text: string): string {
  return earlier ? `${earlier} ${text}` : text;
}

/**
 * The server's field paths placed on the form: `trigger.stage`, `actions.0.users.1` (the second
 * user of the first action), `actions.2.value`. Pydantic names a union's branch in its paths
 * (`actions.0.add_task.title`); that part is skipped.
 */
export function errorsFromServer(fields: Record<string, string[]>, sent: RuleDraft): RuleErrors {
  const errors: RuleErrors = { action: {}, lines: [] };
  for (const [path, messages] of Object.entries(fields)) {
    const parts = path.split(".").filter((part) => !KIND_TAGS.has(part));
    const text = messages.join(" ");
    const [head, second, third, fourth] = parts;
    if (head === "name" && parts.length === 1) errors.name = joined(errors.name, text);
    else if (head === "trigger" && second === "stage") errors.triggerStage = joined(errors.triggerStage, text);
    else if (head === "trigger" && second === "title") errors.triggerTitle = joined(errors.triggerTitle, text);
    else if (head === "trigger") errors.trigger = joined(errors.trigger, text);
    else if (head === "actions" && second !== undefined && /^\d+$/.test(second)) {
      const index = Number(second);
      const part = third && ACTION_PARTS.has(third) ? (third as ActionPart) : "kind";
      const slot = (errors.action[index] ??= {});
      const user = part === "users" && fourth !== undefined ? sent.actions[index]?.users[Number(fourth)] : undefined;
      if (user) slot.byUser = { ...slot.byUser, [user]: text };
      else slot[part] = joined(slot[part], text);
    } else if (head === "actions") errors.actions = joined(errors.actions, text);
    else errors.lines.push(`${path}: ${text}`);
  }
  return errors;
}

export function hasErrors(errors: RuleErrors): boolean {
  const { action, lines, ...rest } = errors;
  // An action whose inputs were all edited since keeps an empty entry.
  const actionErrors = Object.values(action).some(
    ({ byUser, ...parts }) => Object.values(parts).some(Boolean) || Object.values(byUser ?? {}).some(Boolean),
  );
  return lines.length > 0 || actionErrors || Object.values(rest).some(Boolean);
}
