// While a new lead is typed: the leads that already have its email or phone, found by the
// list's email=/phone= filters (compared as the server compares them), asked once typing pauses.
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { useContactMatches } from "./api";

function useSettled(value: string, delay = 400): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

export function DuplicateWarning({ email, phone }: { email: string; phone: string }) {
  const matches = useContactMatches(useSettled(email.trim()), useSettled(phone.trim()));
  const found = matches.data ?? [];
  if (found.length === 0) return null;
  return (
    <div className="duplicate-warning" role="status" data-testid="duplicate-warning">
      <strong>Possible duplicate{found.length > 1 ? "s" : ""}:</strong>{" "}
      {found.map((match, index) => (
        <span key={match.uid}>
          {index > 0 ? ", " : ""}
          <Link to={`/leads/${match.uid}`} target="_blank" rel="noreferrer">
            {match.name}
          </Link>{" "}
          <span className="muted">(same {match.matched.join(" and ")})</span>
        </span>
      ))}
      . You can still save; merge them later from the lead page.
    </div>
  );
}
