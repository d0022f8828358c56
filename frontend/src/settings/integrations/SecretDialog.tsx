// The secret of a webhook just created, or just replaced: shown this once, with a copy button.
// The server never sends it again.
import { useState } from "react";
import { Modal } from "../../ui/components";
import type { WebhookCreated } from "./api";

export function SecretDialog({
  webhook,
  replaced,
  onClose,
}: {
  webhook: WebhookCreated;
  /** The secret replaces the one deliveries were signed with so far (not a new webhook's). */
  replaced: boolean;
  onClose: () => void;
}) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(webhook.secret);
      setCopied("yes");
    } catch {
      // No clipboard (an insecure origin, a denied permission): the admin selects it by hand.
      setCopied("failed");
    }
  };
  return (
    <Modal
      title={replaced ? "New secret: copy it" : "Webhook added: copy its secret"}
      onClose={onClose}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose} data-testid="secret-done">
          I have stored it
        </button>
      }
    >
      <div className="webhook-secret-dialog" data-testid="secret-dialog">
        <p>
          Deliveries to <span className="mono">{webhook.url}</span> carry{" "}
          <code>X-LeadCRM-Signature: sha256=…</code>, the HMAC-SHA256 of the body with this secret. Check it before
          trusting a delivery.
        </p>
        <div className="webhook-secret-row">
          <input
            readOnly
            className="mono"
            value={webhook.secret}
            aria-label="Secret"
            onFocus={(event) => event.target.select()}
            data-testid="webhook-secret"
          />
          <button type="button" className="btn" onClick={() => void copy()} data-testid="copy-secret">
            {copied === "yes" ? "Copied" : "Copy"}
          </button>
        </div>
        {copied === "failed" ? (
          <p className="field-error">The browser refused the clipboard: select the secret and copy it.</p>
        ) : null}
        <div className="banner banner-warning" role="note">
          You will not see this secret again. Store it with the receiver now
          {replaced ? ": deliveries from now on are signed with it" : ""}. If it is lost, edit the webhook and
          replace the secret.
        </div>
      </div>
    </Modal>
  );
}
