// The one way the app talks to the server: typed by the generated OpenAPI schema, signed in by
// the session cookie, with Django's CSRF token on every unsafe request.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

export interface ApiErrorBody {
  code: string;
  message: string;
  fields: Record<string, string[]>;
  details?: Record<string, unknown> | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string[]>;
  readonly details: Record<string, unknown>;

  constructor(status: number, body: Partial<ApiErrorBody> | undefined) {
    super(body?.message ?? (status === 0 ? "The server cannot be reached." : `Error ${status}`));
    this.status = status;
    this.code = body?.code ?? (status === 0 ? "network_error" : "error");
    this.fields = body?.fields ?? {};
    this.details = (body?.details as Record<string, unknown> | undefined) ?? {};
  }
}

/** The sentence to show for a failed call: the server's own message, else `fallback`. */
export function errorText(error: unknown, fallback = "Something went wrong. Try again in a moment."): string {
  return error instanceof ApiError ? error.message : fallback;
}

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : "";
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
      request.headers.set("X-CSRFToken", csrfToken());
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(csrf);

/** The data of a call, or an ApiError carrying the server's error shape. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError(0, undefined);
  }
  if (!result.response.ok) {
    const body = (result.error as { error?: ApiErrorBody } | undefined)?.error;
    throw new ApiError(result.response.status, body);
  }
  return result.data as T;
}
