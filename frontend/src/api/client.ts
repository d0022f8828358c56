// The one way the app talks to the server: typed by the generated OpenAPI schema, signed in by
// the session cookie, with Django's CSRF token on every unsafe request.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import type { ErrorBody, ErrorDetails } from "./types";

export type Schemas = components["schemas"];

const NO_DETAILS: ErrorDetails = {
  reason: null,
  to_stage: null,
  reasons: null,
  current_version: null,
  lead_count: null,
  retry_after_seconds: null,
};

/** What an ApiError is made from: the server's body, or the few parts a screen or a test knows. */
export type ErrorInit = Pick<ErrorBody, "code" | "message"> & {
  fields?: ErrorBody["fields"];
  details?: Partial<ErrorDetails> | null;
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string[]>;
  readonly details: ErrorDetails;
  /** How long the server asks the client to wait (a 429's `Retry-After`), in seconds. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, body: ErrorInit | undefined, retryAfter: string | null = null) {
    super(body?.message ?? (status === 0 ? "The server cannot be reached." : `Error ${status}`));
    this.status = status;
    this.code = body?.code ?? (status === 0 ? "network_error" : "error");
    this.fields = body?.fields ?? {};
    this.details = { ...NO_DETAILS, ...body?.details };
    const header = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : null;
    this.retryAfterSeconds = header ?? this.details.retry_after_seconds;
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

/** A refusal in the server's error shape; a proxy's HTML page or an empty body is not one. */
function isErrorOut(value: unknown): value is Schemas["ErrorOut"] {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const { error } = value;
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string";
}

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
    throw new ApiError(
      result.response.status,
      isErrorOut(result.error) ? result.error.error : undefined,
      result.response.headers.get("Retry-After"),
    );
  }
  // openapi-fetch leaves `data` undefined only for a body-less success (204), whose operation
  // declares no content: the callers of such calls do not read the result.
  return result.data as T;
}
