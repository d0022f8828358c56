// The header's quick jump: Ctrl/Cmd-K (or the button) opens a search box that finds a lead by
// name, company, email, phone or number as you type; arrows pick, Enter opens, Escape closes.
import { useEffect, useId, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { searchLeads, useQuickSearch, type SearchLeads } from "./api";
import "./search.css";

const DEBOUNCE_MS = 150;

function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function QuickJump({ search = searchLeads }: { search?: SearchLeads }) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <>
      <button
        type="button"
        className="btn btn-ghost btn-small quick-jump-button"
        onClick={() => setOpen(true)}
        aria-keyshortcuts="Control+K Meta+K"
        data-testid="quick-jump-open"
      >
        <span aria-hidden="true">⌕</span> Find a lead <kbd>Ctrl K</kbd>
      </button>
      {open ? <QuickJumpBox search={search} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function QuickJumpBox({ search, onClose }: { search: SearchLeads; onClose: () => void }) {
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), DEBOUNCE_MS);
  const found = useQuickSearch(q, search);
  const hits = q ? (found.data ?? []) : [];
  const listId = useId();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [q]);
  // Enter pressed before the answer to the last keystroke came: open the best row once it does.
  const [enterPending, setEnterPending] = useState(false);
  const current = q !== "" && q === text.trim() && found.isSuccess && !found.isPlaceholderData;
  useEffect(() => {
    if (!enterPending || !current) return;
    setEnterPending(false);
    const hit = hits[0];
    if (hit) openLead(hit.uid);
  }, [enterPending, current]);

  const openLead = (uid: string) => {
    onClose();
    navigate(`/leads/${encodeURIComponent(uid)}`);
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onClose();
    } else if (event.key === "ArrowDown" && hits.length) {
      event.preventDefault();
      setActive((index) => (index + 1) % hits.length);
    } else if (event.key === "ArrowUp" && hits.length) {
      event.preventDefault();
      setActive((index) => (index - 1 + hits.length) % hits.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const hit = hits[active];
      // Rows on screen for older text would open the wrong lead: wait for the fresh ones.
      if (current && hit) openLead(hit.uid);
      else if (!current && text.trim()) setEnterPending(true);
    }
  };
  const optionId = (index: number) => `${listId}-option-${index}`;
  const status = !q
    ? "Type a name, company, email, phone or lead number."
    : found.isError
      ? "The search failed; try again."
      : found.isPending
        ? "Searching…"
        : hits.length === 0
          ? "No lead matches."
          : `${hits.length} lead${hits.length === 1 ? "" : "s"} found.`;

  return (
    <div className="quick-jump-backdrop" onMouseDown={onClose} data-testid="quick-jump">
      <div
        className="quick-jump"
        role="dialog"
        aria-modal="true"
        aria-label="Find a lead"
        onMouseDown={(event) => event.stopPropagation()}
      >
        <input
          ref={input}
          type="text"
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={hits.length ? optionId(active) : undefined}
          aria-label="Find a lead"
          placeholder="Name, company, email, phone or number"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setEnterPending(false);
          }}
          onKeyDown={onKeyDown}
          data-testid="quick-jump-input"
        />
        <ul id={listId} role="listbox" aria-label="Leads found" className="quick-jump-list">
          {hits.map((hit, index) => (
            <li
              key={hit.uid}
              id={optionId(index)}
              role="option"
              aria-selected={index === active}
              className={index === active ? "active" : undefined}
              onMouseEnter={() => setActive(index)}
              onClick={() => openLead(hit.uid)}
              data-testid="quick-jump-option"
            >
              <span className="quick-jump-name">{hit.name}</span>
              <span className="quick-jump-meta">
                {[hit.company, hit.email, hit.phone].filter(Boolean).join(" · ")}
              </span>
              <span className="quick-jump-uid">{hit.uid}</span>
            </li>
          ))}
        </ul>
        <p className="quick-jump-status muted" role="status">
          {status}
        </p>
      </div>
    </div>
  );
}
