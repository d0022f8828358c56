import type { UseQueryResult } from "@tanstack/react-query";
import { useEffect, useRef, type ReactNode } from "react";
import { errorText } from "../api/client";

export function Spinner({ label = "Loading" }: { label?: string }) {
  return (
    <div className="spinner" role="status" aria-label={label}>
      <span className="spinner-dot" />
      <span>{label}…</span>
    </div>
  );
}

export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="banner banner-error" role="alert">
      <span>{errorText(error)}</span>
      {onRetry ? (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** What a query loaded, given to `children`; until then a spinner, and if it fails the error
 * with a retry. */
export function Loaded<T>({
  query,
  label,
  children,
}: {
  query: UseQueryResult<T>;
  /** What the spinner says is loading. */
  label: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Spinner label={label} />;
  if (query.isError) return <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />;
  return children(query.data);
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

export function Avatar({ label, title }: { label: string; title?: string }) {
  return (
    <span className="avatar" title={title} aria-label={title}>
      {label}
    </span>
  );
}

export function Modal({
  title,
  onClose,
  children,
  footer,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const dialog = useRef<HTMLDivElement>(null);
  // The latest onClose, so callers need not keep it stable and focus is set once, on open.
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") close.current();
    };
    document.addEventListener("keydown", onKey);
    const body = dialog.current?.querySelector(".modal-body");
    const first =
      body?.querySelector<HTMLElement>("input, select, textarea") ??
      dialog.current?.querySelector<HTMLElement>(".modal-footer button");
    first?.focus();
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div
        ref={dialog}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        onMouseDown={(event) => event.stopPropagation()}
      >
        <header className="modal-header">
          <h2>{title}</h2>
          <button type="button" className="btn-icon" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="modal-body">{children}</div>
        {footer ? <footer className="modal-footer">{footer}</footer> : null}
      </div>
    </div>
  );
}

/**
 * A dialog's footer: Cancel, then the button that does the work — the submit of the form `form`
 * names, or `onAction`. While `busy` that button is disabled and says `busyLabel`.
 */
export function ModalActions({
  onCancel,
  cancelClassName = "btn",
  cancelDisabled,
  label,
  busyLabel,
  busy,
  disabled = false,
  danger = false,
  form,
  onAction,
  testId,
}: {
  onCancel: () => void;
  cancelClassName?: string;
  cancelDisabled?: boolean;
  label: string;
  busyLabel: string;
  busy: boolean;
  disabled?: boolean;
  danger?: boolean;
  form?: string;
  onAction?: () => void;
  testId?: string;
}) {
  return (
    <>
      <button type="button" className={cancelClassName} onClick={onCancel} disabled={cancelDisabled}>
        Cancel
      </button>
      <button
        type={form ? "submit" : "button"}
        form={form}
        className={danger ? "btn btn-danger" : "btn btn-primary"}
        disabled={busy || disabled}
        onClick={onAction}
        data-testid={testId}
      >
        {busy ? busyLabel : label}
      </button>
    </>
  );
}
