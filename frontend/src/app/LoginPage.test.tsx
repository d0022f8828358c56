import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { LoginPage } from "./LoginPage";
import { clock, waitSentence } from "./loginWait";

const THROTTLED = {
  error: {
    code: "too_many_attempts",
    message: "Too many failed sign-ins; try again in 14 minutes.",
    fields: {},
    details: { retry_after_seconds: 840 },
  },
};

function throttledReply(retryAfter: string) {
  return {
    data: undefined,
    error: THROTTLED,
    response: new Response(null, { status: 429, headers: { "Retry-After": retryAfter } }),
  } as never;
}

function signIn() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <LoginPage />
    </QueryClientProvider>,
  );
  fireEvent.change(screen.getByRole("textbox", { name: "Username" }), { target: { value: "ada" } });
  fireEvent.change(screen.getByLabelText("Password"), { target: { value: "wrong" } });
  fireEvent.submit(screen.getByRole("button", { name: "Sign in" }).closest("form")!);
}

beforeEach(() => {
  // The clock stands still until a test moves it; setTimeout stays real for findBy's polling.
  vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("the login page after too many failed sign-ins", () => {
  it("says how long to wait and counts the button down until then", async () => {
    vi.spyOn(api, "POST").mockResolvedValue(throttledReply("840"));
    signIn();

    expect((await screen.findByTestId("login-wait")).textContent).toBe(
      "Too many failed sign-ins. Try again in 14 minutes.",
    );
    const button = screen.getByRole("button", { name: /Try again in/ }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent).toBe("Try again in 14:00");

    await act(async () => {
      vi.advanceTimersByTime(5 * 60 * 1000);
    });
    expect(button.textContent).toBe("Try again in 9:00");
    expect(screen.getByTestId("login-wait").textContent).toBe("Too many failed sign-ins. Try again in 9 minutes.");

    await act(async () => {
      vi.advanceTimersByTime(9 * 60 * 1000);
    });
    expect(screen.queryByTestId("login-wait")).toBeNull();
    const again = screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement;
    expect(again.disabled).toBe(false);
  });

  it("takes the wait from the body when a proxy dropped the header", async () => {
    vi.spyOn(api, "POST").mockResolvedValue({
      data: undefined,
      error: THROTTLED,
      response: new Response(null, { status: 429 }),
    } as never);
    signIn();

    expect((await screen.findByTestId("login-wait")).textContent).toContain("14 minutes");
  });

  it("shows a wrong password as before, with the button enabled", async () => {
    vi.spyOn(api, "POST").mockResolvedValue({
      data: undefined,
      error: { error: { code: "invalid_credentials", message: "Wrong username or password.", fields: {} } },
      response: new Response(null, { status: 401 }),
    } as never);
    signIn();

    expect(await screen.findByText("Wrong username or password.")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled).toBe(false);
  });
});

describe("the wait's wording", () => {
  it("rounds minutes up and says seconds under a minute", () => {
    expect(waitSentence(899)).toBe("Too many failed sign-ins. Try again in 15 minutes.");
    expect(waitSentence(61)).toBe("Too many failed sign-ins. Try again in 2 minutes.");
    expect(waitSentence(60)).toBe("Too many failed sign-ins. Try again in 1 minute.");
    expect(waitSentence(1)).toBe("Too many failed sign-ins. Try again in 1 second.");
    expect(clock(839.2)).toBe("14:00");
    expect(clock(5)).toBe("0:05");
  });
});
