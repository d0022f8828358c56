// Names for the generated schema's types, so screens read `Lead`, not `Schemas["LeadOut"]`.
import type { Schemas } from "./client";

export type Lead = Schemas["LeadOut"];
export type LeadListItem = Schemas["LeadListItem"];
export type LeadPage = Schemas["LeadPageOut"];
export type Stage = Schemas["StageOut"];
export type Config = Schemas["ConfigOut"];
export type FieldDefinition = Schemas["FieldDefinition"];
export type User = Schemas["UserOut"];
export type Board = Schemas["KanbanOut"];
export type BoardColumn = Schemas["KanbanColumn"];
export type Card = Schemas["KanbanCard"];
export type Task = Schemas["TaskInstance"];
export type Activity = Schemas["ActivityOut"];
export type ActivityPage = Schemas["ActivityPageOut"];
export type TaskAction = Schemas["TaskActionOut"];
