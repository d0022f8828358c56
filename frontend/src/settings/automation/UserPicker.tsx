// The users an assign action hands leads to: ticked in the order they take turns. A user the rule
// names who is no longer active stays listed, with the server's word on them.
import type { RuleChoices } from "./choices";
import { userLabel } from "./choices";

export function UserPicker({
  users,
  picked,
  onChange,
  errors = {},
  name,
}: {
  users: RuleChoices["users"];
  picked: string[];
  onChange: (picked: string[]) => void;
  /** The server's message per uid (`actions.0.users.1`). */
  errors?: Record<string, string>;
  name: string;
}) {
  const known = new Set(users.map((user) => user.uid));
  const gone = picked.filter((uid) => !known.has(uid));
  const toggle = (uid: string, on: boolean) =>
    onChange(on ? [...picked.filter((other) => other !== uid), uid] : picked.filter((other) => other !== uid));
  return (
    <div className="rule-users" data-testid={`${name}-users`}>
      {users.map((user) => {
        const turn = picked.indexOf(user.uid);
        return (
          <label key={user.uid} className={`choice rule-user${errors[user.uid] ? " rule-user-invalid" : ""}`}>
            <input
              type="checkbox"
              name={`${name}-user-${user.username}`}
              checked={turn >= 0}
              onChange={(event) => toggle(user.uid, event.target.checked)}
            />
            <span>{userLabel(user)}</span>
            {turn >= 0 && picked.length > 1 ? <span className="rule-turn">{turn + 1}</span> : null}
            {errors[user.uid] ? <span className="field-error">{errors[user.uid]}</span> : null}
          </label>
        );
      })}
      {gone.map((uid) => (
        <label key={uid} className="choice rule-user rule-user-invalid">
          <input type="checkbox" checked onChange={() => toggle(uid, false)} />
          <span>A user no longer active</span>
          <span className="field-error">{errors[uid] ?? "untick to save the rule"}</span>
        </label>
      ))}
    </div>
  );
}
