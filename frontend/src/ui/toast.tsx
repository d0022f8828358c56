// Toasts: short messages at the top right (clear of the Save bar at the bottom of forms), each
// gone after a while; one may carry an action (e.g. Undo) that lasts as long as it does.
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

type Tone = "info" | "success" | "error";

export interface ToastOptions {
  /** A button in the toast; the toast closes when it is pressed. */
  action?: { label: string; onClick: () => void; testId?: string };
  /** How long the toast stays, in ms (7 s by default). */
  durationMs?: number;
  /** A toast with the same key takes the place of this one (e.g. a lead's newer move, whose Undo
   * is the only one the server would still accept). */
  key?: string;
}

interface Toast extends ToastOptions {
  id: number;
  tone: Tone;
  message: ReactNode;
}

const DEFAULT_MS = 7000;

type Show = (message: ReactNode, tone?: Tone, options?: ToastOptions) => void;

const ToastContext = createContext<Show>(() => undefined);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((t) => t.id !== id)), []);
  const show = useCallback<Show>(
    (message, tone = "info", options = {}) => {
      const id = Date.now() + Math.random();
      setToasts((current) => [
        ...current.filter((toast) => options.key === undefined || toast.key !== options.key),
        { id, tone, message, ...options },
      ]);
      window.setTimeout(() => dismiss(id), options.durationMs ?? DEFAULT_MS);
    },
    [dismiss],
  );
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.tone}`} data-testid="toast">
            <div className="toast-body">{toast.message}</div>
            {toast.action ? (
              <button
                type="button"
                className="btn btn-small toast-action"
                data-testid={toast.action.testId}
                onClick={() => {
                  dismiss(toast.id);
                  toast.action?.onClick();
                }}
              >
                {toast.action.label}
              </button>
            ) : null}
            <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
