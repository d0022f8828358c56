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
export type Card = Schemas["CardOut"];
export type Task = Schemas["TaskOut"];
export type TaskStatus = Schemas["TaskStatus"];
export type TaskCounts = Schemas["TaskCountsOut"];
export type Activity = Schemas["ActivityOut"];
export type ActivityPage = Schemas["ActivityPageOut"];
export type TaskAction = Schemas["TaskActionOut"];
export type Move = Schemas["MoveOut"];
export type MoveReason = Schemas["MoveReasonOut"];
export type StageVisit = Schemas["StageVisitOut"];
export type FieldChangeEntry = Schemas["FieldChangeEntryOut"];
/** The inside of the server's one error shape, `{"error": ErrorBody}`. */
export type ErrorBody = Schemas["ErrorDetail"];
export type ErrorDetails = Schemas["ErrorDetails"];
export type TaskRef = Schemas["TaskRefOut"];
export type FieldRef = Schemas["FieldRefOut"];
export type AuditEntry = Schemas["AuditEntryOut"];
export type AuditPage = Schemas["AuditPageOut"];
export type AuditAction = Schemas["AuditAction"];
