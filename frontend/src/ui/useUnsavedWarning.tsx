// Unsaved edits are not lost silently: leaving the page for another route asks first (react-
// router's blocker), and closing or reloading the tab gets the browser's own warning.
import { useEffect } from "react";
import { useBlocker } from "react-router-dom";
import { Modal, ModalActions } from "./components";

/** Returns the dialog to render while a route change waits for an answer (null otherwise). */
export function useUnsavedWarning(dirty: boolean, what = "this lead") {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (!dirty) return undefined;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);

  if (blocker.state !== "blocked") return null;
  return (
    <Modal
      title="Leave without saving?"
      onClose={() => blocker.reset()}
      footer={
        <ModalActions
          onCancel={() => blocker.reset()}
          label="Leave without saving"
          busyLabel="Leaving…"
          busy={false}
          danger
          onAction={() => blocker.proceed()}
          testId="leave-unsaved"
        />
      }
    >
      <p data-testid="unsaved-warning">You have unsaved changes to {what}. If you leave now, they are lost.</p>
    </Modal>
  );
}
