// Settings → Automation (admins only): rules that act on leads when one is created, enters a
// stage or has a task completed. Each reads as the server's sentence, with how its runs went.
import { useCallback, useState } from "react";
import { EmptyState, ErrorBanner, Loaded, Spinner } from "../../ui/components";
import { useToast } from "../../ui/toast";
import { AddButton } from "../controls";
import { ConfirmDialog, SettingsSection } from "../shared";
import { type Rule, useDeleteRule, useRules } from "./api";
import { useRuleChoices } from "./choices";
import { RuleDialog } from "./RuleDialog";
import { RuleRow } from "./RuleRow";
import "../integrations/integrations.css";
import "./automation.css";

type Dialog = { kind: "add" } | { kind: "edit"; rule: Rule } | { kind: "delete"; rule: Rule };

export function AutomationTab() {
  const rules = useRules();
  const { choices, error, retry } = useRuleChoices();
  const remove = useDeleteRule();
  const toast = useToast();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = useCallback(() => setDialog(null), []);

  return (
    <SettingsSection
      titleId="automation-title"
      title="Automation rules"
      intro="When a lead is created, enters a stage or has a task completed, a rule assigns it, adds a task, sets a field, tags it or sends it to a webhook. Its changes show in the lead's history as done by the rule."
      action={<AddButton label="+ Add rule" onClick={() => setDialog({ kind: "add" })} testId="add-rule" />}
    >
      <Loaded query={rules} label="Loading rules">
        {({ results }) =>
          results.length === 0 ? (
            <EmptyState title="No rules yet">Add one to take routine steps off the team's hands.</EmptyState>
          ) : (
            <div className="rule-list">
              {results.map((rule) => (
                <RuleRow
                  key={rule.uid}
                  rule={rule}
                  onEdit={() => setDialog({ kind: "edit", rule })}
                  onDelete={() => setDialog({ kind: "delete", rule })}
                />
              ))}
            </div>
          )
        }
      </Loaded>

      {dialog?.kind === "add" || dialog?.kind === "edit" ? (
        choices ? (
          <RuleDialog rule={dialog.kind === "edit" ? dialog.rule : null} choices={choices} onClose={close} />
        ) : error ? (
          <ErrorBanner error={error} onRetry={retry} />
        ) : (
          <Spinner label="Loading stages, users, fields and webhooks" />
        )
      ) : null}
      {dialog?.kind === "delete" ? (
        <ConfirmDialog
          title="Delete this rule?"
          confirmLabel="Delete rule"
          onClose={close}
          testId="delete-rule-dialog"
          onConfirm={async () => {
            await remove.mutateAsync(dialog.rule.uid);
            toast("Rule deleted.", "success");
            close();
          }}
        >
          <p>
            “{dialog.rule.sentence}” stops at once. What it already did to leads stays, with their history.
          </p>
        </ConfirmDialog>
      ) : null}
    </SettingsSection>
  );
}
