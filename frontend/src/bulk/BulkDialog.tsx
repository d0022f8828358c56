// Confirm a bulk action (with what it needs: the stage, the people, the tags), send it, then
// show what became of each lead in the same dialog.
import { useState } from "react";
import { errorText } from "../api/client";
import { useConfig, useStages } from "../app/queries";
import { TagsInput, useUserLookup } from "../leads/ui";
import {
  LostReasonInputs,
  NO_LOST_ANSWER,
  checkLostAnswer,
  lostFields,
  type LostAnswer,
} from "../moves/LostReasonInputs";
import { Modal, ModalActions } from "../ui/components";
import { useBulkAction } from "./api";
import { BulkResult } from "./BulkResult";
import { bulkRequest, summarize, type BulkAction, type BulkRequest, type BulkSummary } from "./selection";
import "./bulk.css";

const TITLES: Record<BulkAction, string> = {
  move: "Move leads",
  assign: "Assign leads",
  tag: "Tag leads",
  untag: "Remove tags",
  delete: "Delete leads",
};

type AssignMode = NonNullable<BulkRequest["mode"]>;

export function BulkDialog({
  action,
  uids,
  names,
  onClose,
  onDone,
}: {
  action: BulkAction;
  uids: string[];
  names: ReadonlyMap<string, string>;
  onClose: () => void;
  /** After the server answered: the selection is spent. */
  onDone: () => void;
}) {
  const stages = useStages();
  const config = useConfig();
  const lookup = useUserLookup();
  const bulk = useBulkAction();
  const [stage, setStage] = useState("");
  const [userId, setUserId] = useState("");
  const [mode, setMode] = useState<AssignMode>("add");
  const [tags, setTags] = useState<string[]>([]);
  const [lost, setLost] = useState<LostAnswer>(NO_LOST_ANSWER);
  const [problem, setProblem] = useState<string | null>(null);
  const [summary, setSummary] = useState<BulkSummary | null>(null);
  const sortedStages = [...(stages.data ?? [])].sort((a, b) => a.order - b.order);
  const target = sortedStages.find((candidate) => candidate.uid === stage);
  const losing = target?.kind === "lost";
  const count = `${uids.length} lead${uids.length === 1 ? "" : "s"}`;

  const request = (): BulkRequest | string => {
    if (action === "move") {
      if (!stage) return "Choose a stage";
      const missing = losing ? checkLostAnswer(lost) : null;
      if (missing) return missing;
      return bulkRequest(uids, action, { to_stage: stage, ...(losing ? lostFields(lost) : {}) });
    }
    if (action === "assign") {
      if (!userId) return "Choose a person";
      return bulkRequest(uids, action, { user_ids: [userId], mode });
    }
    if (action === "tag" || action === "untag") {
      if (tags.length === 0) return "Add at least one tag";
      return bulkRequest(uids, action, { tags });
    }
    return bulkRequest(uids, action, {});
  };

  const submit = async () => {
    const body = request();
    if (typeof body === "string") {
      setProblem(body);
      return;
    }
    setProblem(null);
    try {
      const answer = await bulk.mutateAsync(body);
      setSummary(summarize(answer, names));
      onDone();
    } catch (error) {
      setProblem(errorText(error));
    }
  };

  if (summary) {
    return (
      <Modal
        title={TITLES[action]}
        onClose={onClose}
        footer={
          <button type="button" className="btn btn-primary" onClick={onClose} data-testid="bulk-close">
            Close
          </button>
        }
      >
        <BulkResult action={action} summary={summary} />
      </Modal>
    );
  }

  return (
    <Modal
      title={TITLES[action]}
      onClose={onClose}
      footer={
        <ModalActions
          onCancel={onClose}
          label={action === "delete" ? `Delete ${count}` : `Apply to ${count}`}
          busyLabel="Working…"
          busy={bulk.isPending}
          danger={action === "delete"}
          onAction={() => void submit()}
          testId="bulk-confirm"
        />
      }
    >
      <div className="bulk-form" data-testid="bulk-dialog">
        {action === "move" ? (
          <>
            <label className="field">
              <span className="field-label">Move {count} to</span>
              <select value={stage} onChange={(event) => setStage(event.target.value)} data-testid="bulk-stage">
                <option value="">Choose a stage…</option>
                {sortedStages.map((option) => (
                  <option key={option.uid} value={option.uid}>
                    {option.name}
                  </option>
                ))}
              </select>
            </label>
            {losing ? (
              <LostReasonInputs
                options={config.data?.lost_reasons ?? []}
                answer={lost}
                error={null}
                onChange={setLost}
              />
            ) : null}
            <p className="field-help">Each lead moves only where it may go; the others are listed after.</p>
          </>
        ) : null}
        {action === "assign" ? (
          <>
            <label className="field">
              <span className="field-label">Person</span>
              <select value={userId} onChange={(event) => setUserId(event.target.value)} data-testid="bulk-user">
                <option value="">Choose a person…</option>
                {lookup.users
                  .filter((user) => user.is_active)
                  .map((user) => (
                    <option key={user.uid} value={user.uid}>
                      {user.display_name || user.username}
                    </option>
                  ))}
              </select>
            </label>
            <fieldset className="bulk-modes">
              <legend className="field-label">For each of the {count}</legend>
              {(
                [
                  ["add", "Add to its assignees"],
                  ["replace", "Make the only assignee"],
                  ["remove", "Remove from its assignees"],
                ] as const
              ).map(([value, label]) => (
                <label key={value} className="radio">
                  <input
                    type="radio"
                    name="bulk-mode"
                    value={value}
                    checked={mode === value}
                    onChange={() => setMode(value)}
                    data-testid={`bulk-mode-${value}`}
                  />
                  {label}
                </label>
              ))}
            </fieldset>
          </>
        ) : null}
        {action === "tag" || action === "untag" ? (
          <div className="field">
            <label className="field-label" htmlFor="bulk-tags">
              {action === "tag" ? `Tags to add to ${count}` : `Tags to remove from ${count}`}
            </label>
            <TagsInput id="bulk-tags" tags={tags} onChange={setTags} />
          </div>
        ) : null}
        {action === "delete" ? (
          <p>
            Delete {count} with their tasks and timelines? This cannot be undone.
          </p>
        ) : null}
        {problem ? (
          <p className="field-error" role="alert" data-testid="bulk-problem">
            {problem}
          </p>
        ) : null}
      </div>
    </Modal>
  );
}
