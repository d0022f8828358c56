import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { User } from "../api/types";
import { AuthProvider } from "../app/auth";
import { queryKeys } from "../app/queries";
import * as build from "../test/builders";
import { ToastProvider } from "../ui/toast";
import { LeadCreatePage } from "./LeadCreatePage";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});


const me: User = {
  uid: "usr-me",
  username: "maria",
  display_name: "Maria Santos",
  email: null,
  role: "member",
  is_active: true,
  created_at: "2026-01-01T00:00:00Z",
};

const config = build.config({
  initial_stage: "stage-new",
  value_field: "budget",
  variables: [
    build.fieldDefinition({ field_key: "website", label: "Website", field_type: "url", order: 2 }),
    build.fieldDefinition({
      field_key: "budget",
      label: "Budget",
      field_type: "currency",
      required: true,
      min: 0,
      order: 0,
      placeholder: "25000",
    }),
  ],
});

function renderPage(url = "/leads/new?name=Grace%20Hopper") {
  const post = vi.spyOn(api, "POST");
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  client.setQueryData(queryKeys.config, config);
  client.setQueryData(queryKeys.users, [me]);
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[url]}>
        <AuthProvider user={me}>
          <ToastProvider>
            <Routes>
              <Route path="/leads/new" element={<LeadCreatePage />} />
              <Route path="/leads/:uid" element={<p>lead page</p>} />
            </Routes>
          </ToastProvider>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return post;
}

describe("LeadCreatePage", () => {
  it("prefills the name and shows the custom fields in their order", () => {
    renderPage();
    expect(screen.getByLabelText("Name")).toHaveProperty("value", "Grace Hopper");
    const keys = [...document.querySelectorAll(".custom-field")].map((element) => element.getAttribute("data-testid"));
    expect(keys).toEqual(["field-budget", "field-website"]);
  });

  it("refuses in the browser what the server would refuse, without sending anything", () => {
    const post = renderPage();
    fireEvent.change(screen.getByLabelText("Budget"), { target: { value: "-5" } });
    fireEvent.change(screen.getByLabelText("Website"), { target: { value: "example.com" } });
    fireEvent.click(screen.getByTestId("create-lead"));
    expect(screen.getByTestId("field-error-budget").textContent).toBe("Budget must be at least 0.");
    expect(screen.getByTestId("field-error-website").textContent).toBe(
      "Website must be a web address (http:// or https://).",
    );
    expect(post).not.toHaveBeenCalled();
  });

  it("sends every field in the server's form and opens the new lead", async () => {
    const post = renderPage();
    post.mockResolvedValue(
      build.reply(201, { ...build.lead({ uid: "LEAD-202611-00009", name: "Grace Hopper" }), possible_duplicates: [] }),
    );
    fireEvent.change(screen.getByLabelText("Budget"), { target: { value: "5000" } });
    fireEvent.click(screen.getByTestId("create-lead"));
    await screen.findByText("lead page");
    expect(post).toHaveBeenCalledWith("/api/leads/", {
      body: {
        name: "Grace Hopper",
        email: null,
        phone: null,
        company: null,
        source: null,
        tags: [],
        // The server's default (the creator) applies: the same as the board's quick-add.
        assigned_to: null,
        data: { budget: 5000, website: null },
      },
    });
  });

  it("shows the server's field errors on their fields", async () => {
    const post = renderPage();
    post.mockResolvedValue(
      build.reply(400, {
        error: {
          code: "invalid",
          message: "Some custom fields are not valid.",
          fields: { "data.budget": ["must be at most 1000000"], email: ["must be an email address"] },
          details: null,
        },
      }),
    );
    fireEvent.change(screen.getByLabelText("Budget"), { target: { value: "5000000" } });
    fireEvent.click(screen.getByTestId("create-lead"));
    await waitFor(() => expect(screen.getByTestId("field-error-budget").textContent).toBe("Budget must be at most 1000000."));
    expect(screen.getByTestId("field-error-email").textContent).toBe("Email must be an email address.");
  });

  it("shows an example as a hint under the input, never as a placeholder that looks filled in", () => {
    renderPage();
    const budget = screen.getByLabelText("Budget");
    expect(budget.getAttribute("placeholder")).toBeNull();
    expect(screen.getByTestId("field-budget").textContent).toContain("e.g. 25000");
  });
});
