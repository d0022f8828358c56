// Settings → Integrations (admins only): the webhooks that carry the CRM's events to other tools,
// each with its recent deliveries. Adding one shows its signing secret once.
import { useCallback, useState } from "react";
import { EmptyState, Loaded } from "../../ui/components";
import { useToast } from "../../ui/toast";
import { AddButton } from "../controls";
import { ConfirmDialog, SettingsSection } from "../shared";
import { type Webhook, type WebhookCreated, useDeleteWebhook, useWebhooks } from "./api";
import { SecretDialog } from "./SecretDialog";
import { WebhookCard } from "./WebhookCard";
import { WebhookDialog } from "./WebhookDialog";
import "./integrations.css";

type Dialog =
  | { kind: "add" }
  | { kind: "edit"; webhook: Webhook }
  | { kind: "delete"; webhook: Webhook }
  | { kind: "secret"; webhook: WebhookCreated; replaced: boolean };

export function IntegrationsTab() {
  const webhooks = useWebhooks();
  const remove = useDeleteWebhook();
  const toast = useToast();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = useCallback(() => setDialog(null), []);

  return (
    <SettingsSection
      titleId="webhooks-title"
      title="Webhooks"
      intro={
        <>
          Each event is POSTed as JSON to the URLs below, signed (<code>X-LeadCRM-Signature</code>), retried for 24
          hours, in order per lead. An endpoint that fails for 24 hours is switched off.
        </>
      }
      action={<AddButton label="+ Add webhook" onClick={() => setDialog({ kind: "add" })} testId="add-webhook" />}
    >
      <Loaded query={webhooks} label="Loading webhooks">
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No webhooks yet">Add one to send lead events to another tool.</EmptyState>
          ) : (
            <div className="webhook-list">
              {list.map((webhook) => (
                <WebhookCard
                  key={webhook.uid}
                  webhook={webhook}
                  onEdit={() => setDialog({ kind: "edit", webhook })}
                  onDelete={() => setDialog({ kind: "delete", webhook })}
                />
              ))}
            </div>
          )
        }
      </Loaded>

      {dialog?.kind === "add" || dialog?.kind === "edit" ? (
        <WebhookDialog
          webhook={dialog.kind === "edit" ? dialog.webhook : null}
          onClose={close}
          onSecret={(webhook, replaced) => setDialog({ kind: "secret", webhook, replaced })}
        />
      ) : null}
      {dialog?.kind === "secret" ? <SecretDialog webhook={dialog.webhook} replaced={dialog.replaced} onClose={close} /> : null}
      {dialog?.kind === "delete" ? (
        <ConfirmDialog
          title="Delete this webhook?"
          confirmLabel="Delete webhook"
          onClose={close}
          testId="delete-webhook-dialog"
          onConfirm={async () => {
            await remove.mutateAsync(dialog.webhook.uid);
            toast("Webhook deleted.", "success");
            close();
          }}
        >
          <p>
            <span className="mono">{dialog.webhook.url}</span> stops receiving events at once. Its delivery log goes
            with it, and deliveries still waiting are not sent.
          </p>
        </ConfirmDialog>
      ) : null}
    </SettingsSection>
  );
}
