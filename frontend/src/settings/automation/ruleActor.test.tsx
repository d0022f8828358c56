// A rule's change on a lead names `rule:<uid>` as its actor: the lead page says a rule did it.
import { QueryClientProvider } from "@tanstack/react-query";
import { cleanup, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import { useUserLookup } from "../../leads/ui";
import { reply, testQueryClient } from "../testUtils";
import { user } from "./builders";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

it("names a rule's change as done by an automation rule, not by a former user", async () => {
  vi.spyOn(api, "GET").mockResolvedValue(reply(200, [user("usr-sam", "Sam")]));
  const client = testQueryClient();
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  const { result } = renderHook(() => useUserLookup(), { wrapper });

  await waitFor(() => expect(result.current.name("usr-sam")).toBe("Sam"));
  expect(result.current.name("rule:rule-1a2b", "Call back")).toBe("Rule “Call back”");
  expect(result.current.name("rule:rule-1a2b")).toBe("Automation rule");
  expect(result.current.name("usr-gone")).toBe("Former user");
});
