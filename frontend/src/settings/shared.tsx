// Pieces every settings tab uses: a tab's titled section, a labelled input, form and
// confirmation dialogs, and the error text of a failed call.
import { useCallback, useId, useState, type FormEvent, type ReactNode } from "react";
import { errorText } from "../api/client";
import { Modal, ModalActions } from "../ui/components";
import { isVersionConflict } from "./api";

export function errorMessage(error: unknown): string {
  if (isVersionConflict(error)) {
    // Settings writes refetch after a conflict (useWrite), so the screen shows what changed.
    return "Someone changed this meanwhile. The screen now shows the latest version: check it and try again.";
  }
  return errorText(error);
}

export function FormError({ message, lines = [] }: { message: string | null; lines?: string[] }) {
  if (!message && lines.length === 0) return null;
  return (
    <div className="banner banner-error settings-form-error" role="alert">
      <div>
        {message ? <div>{message}</div> : null}
        {lines.length ? (
          <ul>
            {lines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}

/** What a form shows above its fields after a refusal: a message, and lines it could not place. */
export interface FormProblem {
  message: string | null;
  lines?: string[];
}

export const NO_PROBLEM: FormProblem = { message: null, lines: [] };

/**
 * A settings form in a dialog: the form with its problem on top, Cancel and the submit button
 * in the footer. While `busy` the submit button is disabled and says `busyLabel`.
 */
export function FormDialog({
  title,
  onClose,
  onSubmit,
  submitLabel,
  busyLabel,
  busy,
  problem = NO_PROBLEM,
  className,
  testId,
  children,
}: {
  title: string;
  onClose: () => void;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  problem?: FormProblem;
  className?: string;
  testId: string;
  children: ReactNode;
}) {
  const formId = useId();
  return (
    <Modal
      title={title}
      onClose={onClose}
      footer={
        <ModalActions onCancel={onClose} form={formId} label={submitLabel} busyLabel={busyLabel} busy={busy} />
      }
    >
      <form id={formId} className={className} onSubmit={onSubmit} data-testid={testId} noValidate>
        <FormError message={problem.message} lines={problem.lines} />
        {children}
      </form>
    </Modal>
  );
}

/** One panel of a settings tab: its title, a line on what it holds, an action at the right. */
export function SettingsSection({
  titleId,
  title,
  intro,
  action,
  children,
}: {
  /** The heading's id, which labels the section. */
  titleId: string;
  title: string;
  intro: ReactNode;
  action: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="panel settings-section" aria-labelledby={titleId}>
      <header className="settings-section-header">
        <div>
          <h2 id={titleId}>{title}</h2>
          <p className="muted">{intro}</p>
        </div>
        {action}
      </header>
      {children}
    </section>
  );
}

/**
 * A yes/no question for a destructive action. `onConfirm` may throw: its message is shown in
 * the dialog, which stays open so the admin can read it.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = true,
  onConfirm,
  onClose,
  testId,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  testId?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = useCallback(() => {
    if (!busy) onClose();
  }, [busy, onClose]);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };
  return (
    <Modal
      title={title}
      onClose={close}
      footer={
        <ModalActions
          onCancel={close}
          cancelDisabled={busy}
          label={confirmLabel}
          busyLabel="Working…"
          busy={busy}
          danger={danger}
          onAction={() => void confirm()}
          testId="confirm-action"
        />
      }
    >
      <div className="settings-confirm" data-testid={testId}>
        {children}
        <FormError message={error} />
      </div>
    </Modal>
  );
}

/**
 * A labelled input with its error, the way every settings form lays one out. `group` is for
 * several controls (a color picker and its hex, a set of checkboxes): a <label> around them
 * would hand every click on its text to the first one.
 */
export function Field({
  label,
  error,
  help,
  required,
  children,
  className = "",
  group = false,
}: {
  label: string;
  error?: string | undefined;
  help?: ReactNode;
  required?: boolean;
  children: ReactNode;
  className?: string;
  group?: boolean;
}) {
  const classes = `field${error ? " field-invalid" : ""} ${className}`;
  const content = (
    <>
      <span className={`field-label${required ? " field-required" : ""}`}>{label}</span>
      {children}
      {help ? <span className="field-help">{help}</span> : null}
      {error ? <span className="field-error">{error}</span> : null}
    </>
  );
  if (group) {
    return (
      <div className={classes} role="group" aria-label={label}>
        {content}
      </div>
    );
  }
  return <label className={classes}>{content}</label>;
}
