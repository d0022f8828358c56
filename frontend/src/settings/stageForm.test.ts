import { describe, expect, it } from "vitest";
import type { Stage } from "../api/types";
import * as build from "../test/builders";
import {
  newStageDraft,
  buildStageCreate,
  buildStagePatch,
  newTemplateDraft,
  stageDraftFrom,
  stageErrorsFromServer,
} from "./stageForm";

function stage(overrides: Partial<Stage> & Pick<Stage, "uid">): Stage {
  return build.stage(overrides.uid, { version: 3, ...overrides });
}

describe("stage bodies", () => {
  const pipeline = ["new", "contacted", "won", "lost"];
  const stored = stage({
    uid: "contacted",
    name: "Contacted",
    allowed_next_stages: ["lost", "won"],
    required_fields: ["budget"],
    task_templates: [
      {
        uid: "tt-1",
        title: "Call",
        description: "",
        required: true,
        skippable: false,
        due_in_hours: 24,
        priority: "normal",
        order: 0,
      },
    ],
  });

  it("sends nothing when nothing changed (next stages compared as a set)", () => {
    const { patch, errors } = buildStagePatch(stored, stageDraftFrom(stored), pipeline, ["budget"]);
    expect(errors).toEqual({});
    expect(patch).toBeNull();
  });

  it("sends what changed with the version, in pipeline order", () => {
    const edit = stageDraftFrom(stored);
    edit.name = "Reached";
    edit.allowed_next_stages = ["won"];
    edit.probability = "35";
    const { patch } = buildStagePatch(stored, edit, pipeline, ["budget"]);
    expect(patch).toEqual({ name: "Reached", allowed_next_stages: ["won"], probability: 35, version: 3 });
  });

  it("clears with empty values, never with null", () => {
    const described = stage({ ...stored, description: "Phone them first" });
    const edit = stageDraftFrom(described);
    edit.description = "  ";
    edit.allowed_next_stages = [];
    edit.required_fields = [];
    edit.task_templates = [];
    const { patch } = buildStagePatch(described, edit, pipeline, ["budget"]);
    expect(patch).toEqual({
      description: "",
      allowed_next_stages: [],
      required_fields: [],
      task_templates: [],
      version: 3,
    });
  });

  it("keeps template uids when editing and sends new ones without", () => {
    const edit = stageDraftFrom(stored);
    const extra = { ...newTemplateDraft(), title: "Send deck", due_in_hours: "48" };
    edit.task_templates = [extra, ...edit.task_templates.map((template) => ({ ...template, title: "Call them" }))];
    const { patch } = buildStagePatch(stored, edit, pipeline, ["budget"]);
    expect(patch?.task_templates).toEqual([
      { uid: null, title: "Send deck", description: "", required: false, skippable: false, due_in_hours: 48, priority: "normal", order: 0 },
      { uid: "tt-1", title: "Call them", description: "", required: true, skippable: false, due_in_hours: 24, priority: "normal", order: 1 },
    ]);
  });

  it("flags bad input per template row and per input", () => {
    const edit = stageDraftFrom(stored);
    edit.name = " ";
    edit.probability = "140";
    edit.task_templates = [{ ...newTemplateDraft(), title: "", due_in_hours: "-1" }];
    const { errors } = buildStagePatch(stored, edit, pipeline, []);
    expect(errors.name).toBeDefined();
    expect(errors.probability).toBeDefined();
    expect(errors.templates?.[0]).toEqual({ title: expect.any(String), due_in_hours: expect.any(String) });
  });

  it("leaves a new stage's place and next stages to the server unless the admin chose some", () => {
    const { body, errors } = buildStageCreate({ ...newStageDraft("#2563eb"), name: "Demo", rot_after_days: "14" });
    expect(errors).toEqual({});
    expect(body).toMatchObject({ order: null, allowed_next_stages: null, rot_after_days: 14 });
  });

  it("sends “Stale after N days” only when it changed, and blank as never", () => {
    const stored = stage({ uid: "s", rot_after_days: 10 });
    expect(buildStagePatch(stored, { ...stageDraftFrom(stored), rot_after_days: "" }, [], []).patch).toEqual({
      rot_after_days: null,
      version: stored.version,
    });
    expect(buildStagePatch(stored, stageDraftFrom(stored), [], []).patch).toBeNull();
    expect(buildStagePatch(stored, { ...stageDraftFrom(stored), rot_after_days: "0" }, [], []).errors.rot_after_days).toMatch(
      /1 to 3650/,
    );
  });

  it("builds a create body the server fills in (uid, slug, order)", () => {
    const { body, errors } = buildStageCreate({
      ...stageDraftFrom(stage({ uid: "x" })),
      name: "Demo booked",
      color: "#AABBCC",
      probability: "30",
    });
    expect(errors).toEqual({});
    expect(body).toMatchObject({ uid: null, slug: null, order: null, name: "Demo booked", color: "#aabbcc", probability: 30 });
  });

  it("maps server error paths onto the stage form", () => {
    const { errors, rest } = stageErrorsFromServer({
      allowed_next_stages: ["unknown stage(s): gone"],
      "task_templates.1.title": ["String should have at least 1 character"],
      slug: ["taken"],
    });
    expect(errors.allowed_next_stages).toMatch(/unknown/);
    expect(errors.templates?.[1]?.title).toMatch(/at least/);
    expect(rest).toEqual(["slug: taken"]);
  });

  it("shows a template error it cannot place on an input above the form", () => {
    const { errors, rest } = stageErrorsFromServer({ "task_templates.0.uid": ["unknown template"] });
    expect(errors).toEqual({});
    expect(rest).toEqual(["task_templates.0.uid: unknown template"]);
  });
});
