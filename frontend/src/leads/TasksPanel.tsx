// The lead's tasks grouped by the stage they came from, with complete / reopen / skip and a
// form for an ad-hoc task. Whether a task is done is the server's `done` (completed or
// skipped); its status only picks the words.
import { useState, type FormEvent } from "react";
import { errorText } from "../api/client";
import type { Lead, Stage, Task, TaskStatus } from "../api/types";
import { formatDateTime } from "../app/queries";
import { isoWithOffset } from "../fields";
import { EmptyState } from "../ui/components";
import { useToast } from "../ui/toast";
import { useAddTask, useTaskAction, type TaskActionName } from "./api";
import { groupTasks, isOverdue } from "./logic";
import { PersonAvatar, StageBadge, useUserLookup, type UserLookup } from "./ui";
import { FormErrorLine, useFormWrite } from "./useFormWrite";

const STATUS_MARKS: Record<TaskStatus, string> = { pending: "", in_progress: "", completed: "✓", skipped: "–" };
const DONE_BY: Record<TaskStatus, string | null> = {
  pending: null,
  in_progress: null,
  completed: "Completed",
  skipped: "Skipped",
};

export function TasksPanel({ lead, stages, canWrite }: { lead: Lead; stages: Stage[]; canWrite: boolean }) {
  const tasks = lead.tasks;
  const groups = groupTasks(tasks, lead.current_stage, stages);
  const lookup = useUserLookup();
  const open = tasks.filter((task) => !task.done).length;
  const [adding, setAdding] = useState(false);

  return (
    <section className="panel lead-panel" aria-labelledby="tasks-title" data-testid="tasks">
      <header className="panel-header">
        <h2 id="tasks-title">
          Tasks <span className="count">{open} open</span>
        </h2>
        {canWrite && !adding ? (
          <button type="button" className="btn btn-small" onClick={() => setAdding(true)} data-testid="add-task">
            + Add task
          </button>
        ) : null}
      </header>
      {adding ? <AddTaskForm lead={lead} lookup={lookup} onDone={() => setAdding(false)} /> : null}
      {groups.length === 0 ? (
        <EmptyState title="No tasks">
          {canWrite ? "Add one to plan the next step with this lead." : "Nothing to do on this lead."}
        </EmptyState>
      ) : null}
      {groups.map((group) => (
        <div className="task-group" key={group.stageUid ?? "none"}>
          <div className="task-group-title">
            <StageBadge stage={group.stage} fallback={group.stageUid ?? "No stage"} />
            {group.current ? <span className="muted">current stage</span> : null}
            <span className="muted task-group-count" data-testid={group.current ? "task-counts" : undefined}>
              {group.current
                ? `${lead.task_counts.done}/${lead.task_counts.total} done`
                : `${group.tasks.filter((task) => task.done).length}/${group.tasks.length} done`}
            </span>
          </div>
          <ul className="task-list">
            {group.tasks.map((task) => (
              <TaskRow key={task.uid} lead={lead} task={task} lookup={lookup} canWrite={canWrite} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

function TaskRow({ lead, task, lookup, canWrite }: { lead: Lead; task: Task; lookup: UserLookup; canWrite: boolean }) {
  const toast = useToast();
  const { mutateAsync: taskAction } = useTaskAction(lead.uid);
  const [busy, setBusy] = useState<TaskActionName | null>(null);
  const uid = task.uid;
  const open = !task.done;
  const overdue = isOverdue(task);
  const doneBy = DONE_BY[task.status];

  const run = async (action: TaskActionName) => {
    setBusy(action);
    try {
      const result = await taskAction({ taskUid: uid, action });
      if (!result.changed) toast(result.message, "info");
    } catch (error) {
      toast(errorText(error, "The task could not be updated."), "error");
    } finally {
      setBusy(null);
    }
  };
  /** A button for `action`, all disabled while any action runs. */
  const actionButton = (action: TaskActionName, label: string, className: string) => (
    <button
      type="button"
      className={className}
      disabled={busy !== null}
      onClick={() => void run(action)}
      data-testid={`${action}-task-${uid}`}
    >
      {label}
    </button>
  );

  return (
    <li className={`task-row${open ? "" : " task-done"}${overdue ? " task-overdue" : ""}`} data-testid={`task-${uid}`}>
      <span className={`task-status task-status-${task.status}`} aria-hidden="true">
        {STATUS_MARKS[task.status]}
      </span>
      <div className="task-body">
        <div className="task-title">
          <span>{task.title}</span>
          {task.required ? (
            <span className="badge badge-required" title="Must be completed before the lead leaves this stage">
              Required
            </span>
          ) : null}
          {task.priority === "high" || task.priority === "urgent" ? (
            <span className={`badge badge-priority-${task.priority}`}>{task.priority}</span>
          ) : null}
        </div>
        {task.description ? <div className="task-description">{task.description}</div> : null}
        <div className="task-meta">
          {open && task.due_at ? (
            <span className={overdue ? "task-due overdue" : "task-due"}>
              {overdue ? "Overdue · " : "Due "}
              {formatDateTime(task.due_at)}
            </span>
          ) : null}
          {task.done && doneBy ? (
            <span>
              {doneBy} by {lookup.name(task.completed_by)} · {formatDateTime(task.completed_at)}
            </span>
          ) : null}
          {task.assigned_to ? (
            <span className="task-assignee">
              <PersonAvatar uid={task.assigned_to} lookup={lookup} />
              {lookup.name(task.assigned_to)}
            </span>
          ) : null}
        </div>
      </div>
      {canWrite ? (
        <div className="task-actions">
          {open ? (
            <>
              {task.skippable ? actionButton("skip", "Skip", "btn btn-ghost btn-small") : null}
              {actionButton("complete", busy === "complete" ? "Completing…" : "Complete", "btn btn-small btn-complete")}
            </>
          ) : (
            actionButton("reopen", "Reopen", "btn btn-ghost btn-small")
          )}
        </div>
      ) : null}
    </li>
  );
}

function AddTaskForm({ lead, lookup, onDone }: { lead: Lead; lookup: UserLookup; onDone: () => void }) {
  const toast = useToast();
  const { mutateAsync: addTask } = useAddTask(lead.uid);
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");
  const [assignee, setAssignee] = useState("");
  const [required, setRequired] = useState(false);
  const { error, setError, saving, run } = useFormWrite("The task could not be added.");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!title.trim()) {
      setError("Give the task a title.");
      return;
    }
    let dueAt: string | null = null;
    if (due) {
      const [year, month, day] = due.split("-").map(Number);
      // A due *date* means by the end of that day where the user is.
      dueAt = isoWithOffset(new Date(year ?? 0, (month ?? 1) - 1, day ?? 1, 23, 59));
    }
    await run(async () => {
      await addTask({
        title: title.trim(),
        description: "",
        due_at: dueAt,
        assigned_to: assignee || null,
        required,
        priority: "normal",
      });
      toast("Task added.", "success");
      onDone();
    });
  };

  return (
    <form className="add-task" onSubmit={(event) => void submit(event)} noValidate data-testid="add-task-form">
      <div className="add-task-grid">
        <label className="field add-task-title">
          <span className="field-label field-required">Title</span>
          <input
            value={title}
            autoFocus
            maxLength={200}
            onChange={(event) => setTitle(event.target.value)}
            placeholder="e.g. Send pricing for 50 seats"
            data-testid="task-title"
          />
        </label>
        <label className="field">
          <span className="field-label">Due date</span>
          <input type="date" value={due} onChange={(event) => setDue(event.target.value)} data-testid="task-due" />
        </label>
        <label className="field">
          <span className="field-label">Assignee</span>
          <select value={assignee} onChange={(event) => setAssignee(event.target.value)} data-testid="task-assignee">
            <option value="">Nobody</option>
            {lookup.users
              .filter((user) => user.is_active && user.role !== "viewer")
              .map((user) => (
                <option key={user.uid} value={user.uid}>
                  {user.display_name || user.username}
                </option>
              ))}
          </select>
        </label>
      </div>
      <label className="choice add-task-required">
        <input type="checkbox" checked={required} onChange={(event) => setRequired(event.target.checked)} />
        Required before the lead can leave this stage
      </label>
      <FormErrorLine error={error} />
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="save-task">
          {saving ? "Adding…" : "Add task"}
        </button>
      </div>
    </form>
  );
}
