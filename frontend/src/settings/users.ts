// The team: roles, the new-user form and its checks, the order users are listed in, and the
// passwords the forms can generate.
import type { Schemas } from "../api/client";
import type { User } from "../api/types";

export type Role = Schemas["UserRole"];

/** A user PATCH: only the keys sent change; only `email` may be null, which clears it. */
export type UserPatch = Schemas["PatchedUserUpdateRequest"];

export const ROLES: readonly { value: Role; label: string; hint: string }[] = [
  { value: "admin", label: "Admin", hint: "everything, including these settings" },
  { value: "member", label: "Member", hint: "works leads" },
  { value: "viewer", label: "Viewer", hint: "reads only" },
];
export const ROLE_VALUES: readonly Role[] = ROLES.map((role) => role.value);

/** A role as a select offers it: its label and, with `withHint`, what it may do. */
export function roleText(value: Role, withHint: boolean): string {
  const role = ROLES.find((r) => r.value === value);
  if (!role) return value;
  return withHint ? `${role.label}: ${role.hint}` : role.label;
}

const USERNAME = /^[A-Za-z0-9_.@+-]{2,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const displayName = (user: User) => user.display_name || user.username;

/** Active users first, then by username. */
export function sortUsers(users: readonly User[]): User[] {
  return [...users].sort(
    (a, b) => Number(b.is_active) - Number(a.is_active) || a.username.localeCompare(b.username),
  );
}

export interface UserDraft {
  username: string;
  display_name: string;
  email: string;
  role: Role;
  password: string;
}

export type UserErrors = Partial<Record<keyof UserDraft, string>>;

export function emptyUserDraft(): UserDraft {
  return { username: "", display_name: "", email: "", role: "member", password: "" };
}

const USER_INPUTS = new Set<string>(Object.keys(emptyUserDraft()));

function isUserInput(name: string): name is keyof UserDraft {
  return USER_INPUTS.has(name);
}

/** The POST body for a new user, or what is wrong with the form. */
export function buildUserCreate(draft: UserDraft): {
  body: Schemas["UserCreateRequest"];
  errors: UserErrors;
} {
  const errors: UserErrors = {};
  const username = draft.username.trim();
  const email = draft.email.trim();
  if (!USERNAME.test(username)) errors.username = "2 to 64 letters, digits or . _ @ + -";
  if (email && !EMAIL.test(email)) errors.email = "Not an email address";
  if (draft.password.length < 8) errors.password = "At least 8 characters";
  return {
    body: {
      username,
      display_name: draft.display_name.trim(),
      // No email is null on create: the server stores none.
      email: email || null,
      role: draft.role,
      password: draft.password,
    },
    errors,
  };
}

/** Server errors on the new-user form's inputs (the rest are told by the error's message). */
export function userErrorsFromServer(fields: Record<string, string[]>): UserErrors {
  const errors: UserErrors = {};
  for (const [path, messages] of Object.entries(fields)) {
    if (isUserInput(path)) errors[path] = messages.join("; ");
  }
  return errors;
}

/** 18 characters from an alphabet without look-alikes (0/O, 1/l/I), readable over the phone. */
export function generatePassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
}
