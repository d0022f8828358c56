import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import * as build from "../test/builders";
import { rememberSignedIn, useMe } from "./auth";

afterEach(() => {
  vi.restoreAllMocks();
  window.localStorage.clear();
});

function wrapper({ children }: { children: ReactNode }) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

describe("useMe", () => {
  it("does not ask the server on a page load of a browser that never signed in (no 401 logged)", async () => {
    const get = vi.spyOn(api, "GET");
    const { result } = renderHook(() => useMe(), { wrapper });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data).toBeNull();
    expect(get).not.toHaveBeenCalled();
  });

  it("asks the server once signed in, and forgets the hint when the session is gone", async () => {
    rememberSignedIn(true);
    const get = vi.spyOn(api, "GET").mockResolvedValue(
      build.reply(401, { error: { code: "not_authenticated", message: "Sign in.", fields: {} } }),
    );
    const { result } = renderHook(() => useMe(), { wrapper });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data).toBeNull();
    expect(get).toHaveBeenCalledTimes(1);
    expect(window.localStorage.getItem("leadcrm.signedIn")).toBeNull();
  });
});
