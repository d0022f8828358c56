// The top of a lead's page: who and where it is, and who works it.
import { useState } from "react";
import { errorText, type Schemas } from "../api/client";
import type { Lead, Stage } from "../api/types";
import { useAuth } from "../app/auth";
import { daysSince } from "../app/queries";
import { Modal, ModalActions } from "../ui/components";
import { useToast } from "../ui/toast";
import { useAssignLead } from "./api";
import { PersonAvatar, StageBadge, StatusBadge, formatDate, useUserLookup } from "./ui";

export function LeadHeader({ lead, stages, canWrite }: { lead: Lead; stages: Stage[]; canWrite: boolean }) {
  const stage = stages.find((candidate) => candidate.uid === lead.current_stage);
  const days = daysSince(lead.stage_entered_at);
  return (
    <div className="lead-header">
      <div className="lead-identity">
        <div className="lead-title-row">
          <h1 data-testid="lead-name">{lead.name}</h1>
          <StatusBadge status={lead.status} />
        </div>
        <div className="lead-subtitle muted">
          {lead.company ? <span data-testid="lead-company">{lead.company}</span> : null}
          <span>{lead.uid}</span>
          <span>Created {formatDate(lead.created_at)}</span>
        </div>
      </div>
      <div className="lead-facts">
        <div className="lead-fact">
          <span className="lead-fact-label">Stage</span>
          <span data-testid="lead-stage">
            <StageBadge stage={stage} fallback={lead.current_stage} />
          </span>
          <span className="muted lead-fact-sub">
            {days === 0 ? "since today" : `for ${days} ${days === 1 ? "day" : "days"}`}
          </span>
        </div>
        <Assignees lead={lead} canWrite={canWrite} />
      </div>
    </div>
  );
}

function Assignees({ lead, canWrite }: { lead: Lead; canWrite: boolean }) {
  const { user } = useAuth();
  const lookup = useUserLookup();
  const toast = useToast();
  const { mutateAsync: assignLead, isPending: busy } = useAssignLead(lead.uid);
  const [editing, setEditing] = useState(false);
  const assigned = lead.assigned_to;

  const assign = async (userIds: string[], mode: Schemas["ModeEnum"]) => {
    try {
      await assignLead({ userIds, mode });
      setEditing(false);
    } catch (error) {
      toast(errorText(error, "The assignees could not be changed."), "error");
    }
  };

  return (
    <div className="lead-fact assignees" data-testid="assignees">
      <span className="lead-fact-label">Assigned to</span>
      <div className="assignee-list">
        {assigned.length === 0 ? <span className="muted">Nobody yet</span> : null}
        {assigned.map((uid) => (
          <span className="assignee-chip" key={uid} data-testid={`assignee-${uid}`}>
            <PersonAvatar uid={uid} lookup={lookup} />
            <span>{lookup.name(uid)}</span>
            {canWrite ? (
              <button
                type="button"
                className="chip-remove"
                aria-label={`Unassign ${lookup.name(uid)}`}
                disabled={busy}
                onClick={() => void assign([uid], "remove")}
              >
                ×
              </button>
            ) : null}
          </span>
        ))}
        {canWrite && !assigned.includes(user.uid) ? (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            disabled={busy}
            onClick={() => void assign([user.uid], "add")}
            data-testid="assign-me"
          >
            + Assign me
          </button>
        ) : null}
        {canWrite ? (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            disabled={busy}
            onClick={() => setEditing(true)}
            data-testid="edit-assignees"
          >
            Change…
          </button>
        ) : null}
      </div>
      {editing ? (
        <AssignDialog
          current={assigned}
          busy={busy}
          onCancel={() => setEditing(false)}
          onSave={(userIds) => void assign(userIds, "replace")}
        />
      ) : null}
    </div>
  );
}

function AssignDialog({
  current,
  busy,
  onCancel,
  onSave,
}: {
  current: string[];
  busy: boolean;
  onCancel: () => void;
  onSave: (userIds: string[]) => void;
}) {
  const lookup = useUserLookup();
  const [chosen, setChosen] = useState<string[]>(current);
  const people = lookup.users.filter((person) => person.is_active || current.includes(person.uid));
  return (
    <Modal
      title="Assign this lead"
      onClose={onCancel}
      footer={
        <ModalActions
          onCancel={onCancel}
          cancelClassName="btn btn-ghost"
          label="Save assignees"
          busyLabel="Saving…"
          busy={busy}
          onAction={() => onSave(chosen)}
          testId="save-assignees"
        />
      }
    >
      <div className="assign-list" role="group" aria-label="Team members">
        {people.map((person) => (
          <label className="assign-option" key={person.uid}>
            <input
              type="checkbox"
              checked={chosen.includes(person.uid)}
              onChange={(event) =>
                setChosen((list) =>
                  event.target.checked ? [...list, person.uid] : list.filter((uid) => uid !== person.uid),
                )
              }
            />
            <PersonAvatar uid={person.uid} lookup={lookup} />
            <span>{person.display_name || person.username}</span>
            <span className="muted assign-role">{person.role}</span>
          </label>
        ))}
      </div>
    </Modal>
  );
}
