// What the settings component tests share: a screen with the app's providers around it, and
// the answers openapi-fetch gives. Test files only; nothing in the app imports this.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { ToastProvider } from "../ui/toast";

export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
}

/** `children` rendered with a fresh query cache (or `client`), a router and toasts. */
export function renderWithProviders(children: ReactNode, client: QueryClient = testQueryClient()) {
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <ToastProvider>{children}</ToastProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

/** What openapi-fetch resolves to, for a given status and JSON body. */
export function reply(status: number, body: unknown) {
  const ok = status < 400;
  // The client's result type is a union per operation; tests only need its runtime shape.
  return {
    data: ok ? body : undefined,
    error: ok ? undefined : body,
    response: new Response(null, { status }),
  } as never;
}

/** The error body the server sends with a refusal. */
export function refusal(
  code: string,
  message: string,
  extra: { fields?: Record<string, string[]>; details?: object } = {},
) {
  return { error: { code, message, fields: extra.fields ?? {}, details: extra.details ?? null } };
}
