import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import * as build from "../test/builders";
import { importState, importUpload } from "./builders";
import {
  defaultMatchOn,
  importedColumns,
  initialPlan,
  isRunning,
  NOBODY,
  optionsOf,
  percentDone,
  planReducer,
  samplesOf,
  sameOptions,
  stepOf,
  targetGroups,
  uploadErrorText,
  uploadOf,
  type Plan,
} from "./wizard";

const upload = importUpload({ suggested_mapping: { "Full name": "name", "E-mail": "email", Budget: "data.budget" } });
const status = importState;

describe("the step an import is at", () => {
  it("is the progress while the run is queued or running, so a reload shows the bar", () => {
    expect(stepOf(status({ status: "queued" }))).toBe("progress");
    expect(stepOf(status({ status: "running" }))).toBe("progress");
    expect(isRunning(status({ status: "running" }))).toBe(true);
  });

  it("is the summary once the run is done or failed, and polling stops", () => {
    expect(stepOf(status({ status: "done" }))).toBe("summary");
    expect(stepOf(status({ status: "failed" }))).toBe("summary");
    expect(isRunning(status({ status: "done" }))).toBe(false);
    expect(isRunning(undefined)).toBe(false);
  });

  it("is the mapping for an uploaded file that has not run", () => {
    expect(stepOf(status({ status: "uploaded" }))).toBe("mapping");
    expect(isRunning(status({ status: "uploaded" }))).toBe(false);
  });

  it("resumes the mapping from the upload this tab kept", () => {
    expect(uploadOf(status({ status: "uploaded" }), upload)).toBe(upload);
  });

  it("resumes the mapping from the status's columns when the tab kept no upload", () => {
    const ran = status({ uid: "imp-2", columns: ["a", "b"], sample_rows: [["1", "2"]], mapping: { a: "name", b: null } });
    const elsewhere = uploadOf(ran, upload);
    expect(elsewhere).toMatchObject({ uid: "imp-2", columns: ["a", "b"], sample_rows: [["1", "2"]] });
    expect(elsewhere.suggested_mapping).toEqual({ a: "name", b: null });
    const fresh = status({ columns: ["a"], suggested_mapping: { a: "email" } });
    expect(uploadOf(fresh, null).suggested_mapping).toEqual({ a: "email" });
  });
});

describe("the progress bar", () => {
  it("counts whole percent of the rows processed", () => {
    expect(percentDone({ processed: 333, total: 1000 })).toBe(33);
    expect(percentDone({ processed: 1000, total: 1000 })).toBe(100);
  });

  it("stays at 0 until the total is known and never passes 100", () => {
    expect(percentDone({ processed: 0, total: 0 })).toBe(0);
    expect(percentDone({ processed: 12, total: 10 })).toBe(100);
  });
});

describe("the mapping state", () => {
  it("starts from the suggestions, with every other column not imported", () => {
    const plan = initialPlan(upload);
    expect(plan.mapping).toEqual({ "Full name": "name", "E-mail": "email", Budget: "data.budget", Notes: null });
    expect(importedColumns(plan)).toBe(3);
  });

  it("matches on the lead id, else the email, else the phone, else nothing", () => {
    expect(initialPlan(upload).matchOn).toBe("email");
    expect(defaultMatchOn({ a: "phone", b: "uid", c: "email" })).toBe("uid");
    expect(defaultMatchOn({ a: "phone" })).toBe("phone");
    expect(defaultMatchOn({ a: "name", b: null })).toBe("none");
  });

  it("changes one column's target and leaves the others", () => {
    const plan = planReducer(initialPlan(upload), { type: "target", column: "Notes", target: "tags" });
    expect(plan.mapping.Notes).toBe("tags");
    expect(plan.mapping["Full name"]).toBe("name");
    const skipped = planReducer(plan, { type: "target", column: "Full name", target: null });
    expect(skipped.mapping["Full name"]).toBeNull();
    expect(importedColumns(skipped)).toBe(3);
  });

  it("ignores a column the file does not have", () => {
    const plan = initialPlan(upload);
    expect(planReducer(plan, { type: "target", column: "Nope", target: "name" })).toBe(plan);
  });

  it("goes back to the suggestions on reset", () => {
    let plan: Plan = planReducer(initialPlan(upload), { type: "target", column: "E-mail", target: null });
    plan = planReducer(plan, { type: "stage", value: "won" });
    expect(planReducer(plan, { type: "reset", upload })).toEqual(initialPlan(upload));
  });

  it("shows the first non-empty values of a column", () => {
    expect(samplesOf(upload, "E-mail")).toEqual(["ada@example.com", "linus@example.com", "ken@example.com"]);
    expect(samplesOf(upload, "Notes", 5)).toEqual(["x", "y", "z"]);
    expect(samplesOf({ ...upload, sample_rows: [] }, "Notes")).toEqual([]);
  });
});

describe("the preview and run body", () => {
  it("sends the mapping, the matching and the defaults", () => {
    let plan = initialPlan(upload);
    plan = planReducer(plan, { type: "onMatch", value: "update" });
    plan = planReducer(plan, { type: "stage", value: "qualified" });
    plan = planReducer(plan, { type: "assignee", value: "u1" });
    expect(optionsOf(plan)).toEqual({
      mapping: plan.mapping,
      match_on: "email",
      on_match: "update",
      stage: "qualified",
      assigned_to: ["u1"],
    });
  });

  it("leaves the stage and the assignee to the server when none is chosen, and creates when matching nothing", () => {
    const plan = planReducer(initialPlan(upload), { type: "matchOn", value: "none" });
    expect(optionsOf(plan)).toMatchObject({ match_on: "none", on_match: "create", stage: null, assigned_to: null });
  });

  it("assigns created leads to nobody when so chosen", () => {
    const plan = planReducer(initialPlan(upload), { type: "assignee", value: NOBODY });
    expect(optionsOf(plan).assigned_to).toEqual([]);
  });

  it("keeps a preview for the same plan and drops it once the plan changes", () => {
    const plan = initialPlan(upload);
    const previewed = optionsOf(plan);
    expect(sameOptions(previewed, optionsOf(initialPlan(upload)))).toBe(true);
    expect(sameOptions(null, previewed)).toBe(false);
    const remapped = planReducer(plan, { type: "target", column: "Notes", target: "tags" });
    expect(sameOptions(previewed, optionsOf(remapped))).toBe(false);
    const otherMatch = planReducer(plan, { type: "onMatch", value: "update" });
    expect(sameOptions(previewed, optionsOf(otherMatch))).toBe(false);
    const otherAssignee = planReducer(plan, { type: "assignee", value: "u2" });
    expect(sameOptions(previewed, optionsOf(otherAssignee))).toBe(false);
  });
});

describe("the mapping targets", () => {
  it("offers the lead's fields, the custom fields in their order, then the pipeline", () => {
    const groups = targetGroups(
      build.config({
        variables: [
          build.fieldDefinition({ field_key: "industry", label: "Industry", order: 2 }),
          build.fieldDefinition({ field_key: "budget", label: "Budget", order: 1 }),
        ],
      }),
    );
    expect(groups.map((g) => g.label)).toEqual(["Lead", "Custom fields", "Pipeline"]);
    expect(groups[1]?.options).toEqual([
      { value: "data.budget", label: "Budget" },
      { value: "data.industry", label: "Industry" },
    ]);
    expect(groups[2]?.options.map((o) => o.value)).toEqual(["stage", "assigned_to", "tags"]);
  });

  it("leaves out the custom group when the workflow has no custom fields", () => {
    expect(targetGroups(build.config()).map((g) => g.label)).toEqual(["Lead", "Pipeline"]);
  });
});

describe("a refused upload", () => {
  it("says the server's own sentence", () => {
    const error = new ApiError(400, { code: "invalid_file", message: "The file is not a CSV or XLSX file." });
    expect(uploadErrorText(error)).toBe("The file is not a CSV or XLSX file.");
  });

  it("makes a sentence of what the server found wrong with the file", () => {
    const refusal = (message: string) =>
      new ApiError(400, { code: "validation_failed", message: `file: ${message}`, fields: { file: [message] } });
    expect(uploadErrorText(refusal("is empty"))).toBe("The file is empty.");
    expect(uploadErrorText(refusal("has a header but no rows below it"))).toBe("The file has a header but no rows below it.");
    expect(uploadErrorText(refusal("row 3, Email: holds the NUL character (is this a text file?)"))).toBe(
      "Row 3, Email: holds the NUL character (is this a text file?).",
    );
  });

  it("names the size limit for a 413 that came without the error shape", () => {
    expect(uploadErrorText(new ApiError(413, undefined))).toMatch(/50 MB/);
  });
});
