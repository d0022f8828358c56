// The secret of a webhook just created: shown this once, with a copy button. The server keeps
// only what it needs to sign; it never sends the secret again.
import { useState } from "react";
import { Modal } from "../../ui/components";
import type { WebhookCreated } from "./api";

export function SecretDialog({ webhook, onClose }: { webhook: WebhookCreated; onClose: () => void }) {
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
      title="Webhook added: copy its secret"
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
          You will not see this secret again. Store it with the receiver now; if it is lost, edit the webhook
          through the API to set a new one.
        </div>
      </div>
    </Modal>
  );
}
