import { describe, expect, it } from "vitest";
import type { User } from "../api/types";
import { buildUserCreate, emptyUserDraft, sortUsers, userErrorsFromServer } from "./users";

function user(username: string, is_active = true): User {
  return {
    uid: `u-${username}`,
    username,
    display_name: "",
    email: null,
    role: "member",
    is_active,
    created_at: "2024-01-01T00:00:00Z",
  };
}

describe("the new-user form", () => {
  it("builds the body from trimmed input, with no email as null", () => {
    const { body, errors } = buildUserCreate({
      ...emptyUserDraft(),
      username: " ada ",
      display_name: " Ada L. ",
      password: "correct horse",
    });
    expect(errors).toEqual({});
    expect(body).toEqual({
      username: "ada",
      display_name: "Ada L.",
      email: null,
      role: "member",
      password: "correct horse",
    });
  });

  it("refuses a bad username, a bad email and a short password", () => {
    const { errors } = buildUserCreate({ ...emptyUserDraft(), username: "a b", email: "nope", password: "short" });
    expect(Object.keys(errors).sort()).toEqual(["email", "password", "username"]);
  });

  it("puts server errors on the inputs it has and leaves the rest to the message", () => {
    expect(userErrorsFromServer({ email: ["taken"], role: ["bad", "worse"], uid: ["no"] })).toEqual({
      email: "taken",
      role: "bad; worse",
    });
  });
});

describe("the user list", () => {
  it("lists active users first, then by username", () => {
    const sorted = sortUsers([user("zoe"), user("bob", false), user("amy")]);
    expect(sorted.map((u) => u.username)).toEqual(["amy", "zoe", "bob"]);
  });
});
