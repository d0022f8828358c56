// Pieces every settings tab uses: refreshing what a pipeline change affects, the full user list,
// a tab's titled section, form and confirmation dialogs, and the error text of a failed call.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useId, useState, type FormEvent, type ReactNode } from "react";
import { ApiError, api, errorText, unwrap, type Schemas } from "../api/client";
import type { User } from "../api/types";
import { queryKeys } from "../app/queries";
import { Modal } from "../ui/components";
import type { ConfigPatch } from "./logic";

/**
 * Refetch everything a settings change can touch: the board reads stages, config (value field)
 * and users; lead screens read them too. `leads` also refreshes lists and lead pages, which a
 * stage delete changes by moving leads.
 */
export function useRefreshWorkflow() {
  const queryClient = useQueryClient();
  return useCallback(
    async ({ leads = false }: { leads?: boolean } = {}) => {
      const keys: (readonly unknown[])[] = [
        queryKeys.stages,
        queryKeys.config,
        queryKeys.users,
        queryKeys.board,
      ];
      if (leads) keys.push(queryKeys.leads, ["lead"]);
      await Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
    [queryClient],
  );
}

/** Every user, deactivated ones too; under `queryKeys.users` so invalidating that refreshes it. */
export const allUsersKey = [...queryKeys.users, "include-inactive"] as const;

export function useAllUsers() {
  return useQuery<User[]>({
    queryKey: allUsersKey,
    queryFn: () => unwrap(api.GET("/api/users/", { params: { query: { include_inactive: true } } })),
  });
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError && error.code === "version_conflict") {
    // The caller refreshes on a conflict, so the screen already shows what changed.
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
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy}>
            {busy ? busyLabel : submitLabel}
          </button>
        </>
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
        <>
          <button type="button" className="btn" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            className={danger ? "btn btn-danger" : "btn btn-primary"}
            onClick={() => void confirm()}
            disabled={busy}
            data-testid="confirm-action"
          >
            {busy ? "Working…" : confirmLabel}
          </button>
        </>
      }
    >
      <div className="settings-confirm" data-testid={testId}>
        {children}
        <FormError message={error} />
      </div>
    </Modal>
  );
}

/** PATCH /api/config/ and put the answer in the cache; a stale version refreshes the screen. */
export function useSaveConfig() {
  const queryClient = useQueryClient();
  const refresh = useRefreshWorkflow();
  return useMutation({
    mutationFn: (patch: ConfigPatch) =>
      // A partial body: see ConfigPatch in logic.ts for why the generated type is too strict.
      unwrap(api.PATCH("/api/config/", { body: patch as Schemas["PatchedConfigUpdateRequest"] })),
    onSuccess: async (saved) => {
      queryClient.setQueryData(queryKeys.config, saved);
      await refresh();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === "version_conflict") void refresh();
    },
  });
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
