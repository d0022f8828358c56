import { cleanup, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import * as build from "../test/builders";
import { errorReasons, MoveRefusal } from "./moveMessages";
import { checkFields, fieldsData } from "../fields";
import { requiredDefinitions, serverFieldErrors } from "./RequiredFields";

afterEach(cleanup);

const blockingReason = build.reason("blocking_tasks", {
  message: "Complete the required tasks first: Research the company.",
  tasks: [{ uid: "t1", title: "Research the company" }],
});

const blocked = new ApiError(409, {
  code: "blocking_tasks",
  message: "Complete the required tasks first: Research the company.",
  details: { reason: "blocking_tasks", to_stage: "contacted", reasons: [blockingReason] },
});

const missing = new ApiError(409, {
  code: "missing_required_fields",
  message: "Qualified needs: Industry.",
  fields: { "data.industry": ["is required to enter Qualified"] },
  details: {
    reason: "missing_required_fields",
    reasons: [build.reason("missing_required_fields", { fields: [{ key: "industry", label: "Industry" }] })],
  },
});

const inRouter = (children: ReactNode) => render(<MemoryRouter>{children}</MemoryRouter>);

describe("reading a refused move", () => {
  it("takes the reasons from a 409's details, none from any other failure", () => {
    expect(errorReasons(blocked)).toEqual([blockingReason]);
    expect(errorReasons(new ApiError(409, { code: "version_conflict", message: "stale" }))).toEqual([]);
    expect(errorReasons(new Error("boom"))).toEqual([]);
  });
});

describe("MoveRefusal", () => {
  it("names the blocking tasks with a link to the lead", () => {
    inRouter(
      <MoveRefusal
        leadName="Ada"
        leadUid="LEAD-202611-00001"
        targetName="Contacted"
        reasons={errorReasons(blocked)}
        error={blocked}
        sent
      />,
    );
    expect(screen.getByText("Research the company")).toBeTruthy();
    expect(screen.getByText(/was not moved to Contacted/)).toBeTruthy();
    const link = screen.getByRole("link", { name: "Open lead" });
    expect(link.getAttribute("href")).toBe("/leads/LEAD-202611-00001");
  });

  it("shows each of the server's sentences for a drop the card's moves refuse", () => {
    const reasons = [
      build.reason("reopen_requires_admin", { message: "Only an admin can reopen a closed lead." }),
      build.reason("missing_required_fields", {
        message: "New needs: Industry.",
        fields: [{ key: "industry", label: "Industry" }],
      }),
    ];
    inRouter(<MoveRefusal leadName="Ada" leadUid="L" targetName="New" reasons={reasons} sent={false} />);
    expect(screen.getByText(/cannot move to New/)).toBeTruthy();
    expect(screen.getByText("Only an admin can reopen a closed lead.")).toBeTruthy();
    expect(screen.getByText("New needs: Industry.")).toBeTruthy();
    expect(screen.getAllByRole("link", { name: "Open lead" })).toHaveLength(1);
  });

  it("says the server cannot be reached on a network error", () => {
    inRouter(
      <MoveRefusal leadName="Ada" leadUid="L" targetName="Won" reasons={[]} error={new ApiError(0, undefined)} sent />,
    );
    expect(screen.getByText(/cannot be reached/)).toBeTruthy();
    expect(screen.queryByRole("link")).toBeNull();
  });

  it("says the board was reloaded after a version conflict", () => {
    const stale = new ApiError(409, { code: "version_conflict", message: "stale", details: { current_version: 3 } });
    inRouter(<MoveRefusal leadName="Ada" leadUid="L" targetName="Won" reasons={[]} error={stale} sent />);
    expect(screen.getByText(/has been reloaded/)).toBeTruthy();
  });
});

describe("the required-fields form's logic", () => {
  const variables = [
    build.fieldDefinition({ field_key: "budget", label: "Budget", field_type: "currency", required: true, min: 0 }),
    build.fieldDefinition({
      field_key: "industry",
      label: "Industry",
      field_type: "select",
      options: [{ value: "saas", label: "SaaS" }],
    }),
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
