import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { FieldDefinition } from "../api/types";
import { blockingTasks, missingFields, moveReason, MoveRefusal } from "./moveMessages";
import { checkFields, fieldsData, requiredDefinitions, serverFieldErrors } from "./RequiredFields";

afterEach(cleanup);

const blocked = new ApiError(409, {
  code: "blocking_tasks",
  message: "Complete the required tasks first: Research the company.",
  fields: {},
  details: { reason: "blocking_tasks", tasks: [{ uid: "t1", title: "Research the company" }] },
});

const missing = new ApiError(409, {
  code: "missing_required_fields",
  message: "Qualified needs: Industry.",
  fields: { "data.industry": ["is required to enter Qualified"] },
  details: { reason: "missing_required_fields", fields: [{ key: "industry", label: "Industry" }] },
});

describe("reading a refused move", () => {
  it("takes the reason from the details, else the code", () => {
    expect(moveReason(blocked)).toBe("blocking_tasks");
    expect(moveReason(new ApiError(409, { code: "version_conflict", message: "stale", fields: {} }))).toBe(
      "version_conflict",
    );
    expect(moveReason(new ApiError(0, undefined))).toBe("network_error");
    expect(moveReason(new Error("boom"))).toBe("unknown");
  });

  it("lists the blocking tasks and the missing fields", () => {
    expect(blockingTasks(blocked)).toEqual([{ uid: "t1", title: "Research the company" }]);
    expect(missingFields(missing)).toEqual([{ key: "industry", label: "Industry" }]);
    expect(blockingTasks(missing)).toEqual([]);
  });
});

describe("MoveRefusal", () => {
  it("names the blocking tasks with a link to the lead", () => {
    render(
      <MemoryRouter>
        <MoveRefusal leadName="Ada" leadUid="LEAD-202611-00001" targetName="Contacted" error={blocked} />
      </MemoryRouter>,
    );
    expect(screen.getByText("Research the company")).toBeTruthy();
    expect(screen.getByText(/was not moved to Contacted/)).toBeTruthy();
    const link = screen.getByRole("link", { name: "Open lead" });
    expect(link.getAttribute("href")).toBe("/leads/LEAD-202611-00001");
  });

  it("says the server cannot be reached on a network error", () => {
    render(
      <MemoryRouter>
        <MoveRefusal leadName="Ada" leadUid="L" targetName="Won" error={new ApiError(0, undefined)} />
      </MemoryRouter>,
    );
    expect(screen.getByText(/cannot be reached/)).toBeTruthy();
  });

  it("uses the server's sentence for a stage that is not allowed", () => {
    const refused = new ApiError(409, {
      code: "transition_not_allowed",
      message: "New cannot move to Won (allowed: Contacted, Lost).",
      fields: {},
      details: { reason: "not_allowed" },
    });
    render(
      <MemoryRouter>
        <MoveRefusal leadName="Ada" leadUid="L" targetName="Won" error={refused} />
      </MemoryRouter>,
    );
    expect(screen.getByText("New cannot move to Won (allowed: Contacted, Lost).")).toBeTruthy();
  });
});

describe("the required-fields form's logic", () => {
  const variables: FieldDefinition[] = [
    { field_key: "budget", label: "Budget", field_type: "currency", required: true, min: 0 } as FieldDefinition,
    {
      field_key: "industry",
      label: "Industry",
      field_type: "select",
      required: false,
      options: [{ value: "saas", label: "SaaS" }],
    } as FieldDefinition,
  ];

  it("asks for the named fields as required, even when the config leaves them optional", () => {
    const definitions = requiredDefinitions(variables, ["industry", "gone"]);
    expect(definitions.map((d) => [d.field_key, d.required])).toEqual([["industry", true]]);
  });

  it("checks the values as the server would and builds the data to send", () => {
    const definitions = requiredDefinitions(variables, ["budget", "industry"]);
    expect(checkFields(definitions, { budget: "-5", industry: "" })).toEqual({
      budget: "Budget must be at least 0.",
      industry: "Industry is required.",
    });
    expect(checkFields(definitions, { budget: "1200", industry: "saas" })).toEqual({});
    expect(fieldsData(definitions, { budget: "1200", industry: "saas" })).toEqual({
      budget: 1200,
      industry: "saas",
    });
  });

  it("puts the server's field errors on their fields", () => {
    expect(serverFieldErrors(missing, variables)).toEqual({
      industry: "Industry is required to enter Qualified.",
    });
  });
});
