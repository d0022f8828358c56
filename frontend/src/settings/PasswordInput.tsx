// A password input that can show what is typed and generate a password to share.
import { useState } from "react";
import { generatePassword } from "./users";

export function PasswordInput({ value, onChange }: { value: string; onChange: (password: string) => void }) {
  const [visible, setVisible] = useState(false);
  return (
    <span className="password-input">
      <input
        name="password"
        type={visible ? "text" : "password"}
        autoComplete="new-password"
        value={value}
        maxLength={256}
        onChange={(event) => onChange(event.target.value)}
      />
      <button type="button" className="btn btn-small" onClick={() => setVisible((shown) => !shown)}>
        {visible ? "Hide" : "Show"}
      </button>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => {
          onChange(generatePassword());
          setVisible(true);
        }}
      >
        Generate
      </button>
    </span>
  );
}
