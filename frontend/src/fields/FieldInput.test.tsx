import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FieldDefinition } from "../api/types";
import { fieldDefinition as field } from "../test/builders";
import { FieldInput } from "./FieldInput";
import type { FieldValue } from "./values";

afterEach(cleanup);

const options = [
  { value: "saas", label: "SaaS" },
  { value: "retail", label: "Retail" },
];

function show(definition: FieldDefinition, value: FieldValue, error?: string) {
  const onChange = vi.fn<(value: FieldValue) => void>();
  render(<FieldInput definition={definition} value={value} onChange={onChange} error={error} />);
  return onChange;
}

describe("FieldInput", () => {
  it.each([
    ["text", "text", "text"],
    ["long_text", null, "textarea"],
    ["email", null, "email"],
    ["phone", null, "tel"],
    ["url", null, "url"],
    ["date", null, "date"],
    ["datetime", null, "datetime-local"],
  ] as const)("renders a %s field (input %s) as %s", (fieldType, inputType, expected) => {
    show(field({ field_type: fieldType, input_type: inputType, label: "Thing" }), "");
    const control = screen.getByLabelText("Thing");
    if (expected === "textarea") expect(control.tagName).toBe("TEXTAREA");
    else expect(control.getAttribute("type")).toBe(expected);
  });

  it("gives number inputs a step that fits the type", () => {
    show(field({ field_type: "integer", field_key: "a", label: "Whole" }), "");
    show(field({ field_type: "currency", field_key: "b", label: "Money" }), "");
    show(field({ field_type: "decimal", field_key: "c", label: "Ratio" }), "");
    expect(screen.getByLabelText("Whole").getAttribute("step")).toBe("1");
    // Money is a text input that shows the amount formatted ("201,000"): see MoneyInput.
    expect(screen.getByLabelText("Money").getAttribute("inputmode")).toBe("decimal");
    expect(screen.getByLabelText("Ratio").getAttribute("step")).toBe("any");
  });

  it("shows the label, required marker, help text, the example as a hint, and the error", () => {
    show(
      field({
        field_type: "currency",
        field_key: "budget",
        label: "Budget",
        required: true,
        help_text: "What they expect to spend.",
        placeholder: "25000",
      }),
      "-1",
      "Budget must be at least 0.",
    );
    const input = screen.getByLabelText("Budget");
    // An example under the input, never a placeholder that reads like a stored value.
    expect(input.getAttribute("placeholder")).toBeNull();
    expect(screen.getByText("What they expect to spend. e.g. 25000")).toBeTruthy();
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Budget").className).toContain("field-required");
    expect(screen.getByTestId("field-error-budget").textContent).toBe("Budget must be at least 0.");
    expect(screen.getByTestId("field-budget").className).toContain("field-invalid");
  });

  it("offers an empty choice in an optional select but not in a required one", () => {
    show(field({ field_type: "select", options, field_key: "a", label: "Optional" }), "");
    show(field({ field_type: "select", options, field_key: "b", label: "Needed", required: true }), "");
    const optional = screen.getByLabelText("Optional") as HTMLSelectElement;
    const needed = screen.getByLabelText("Needed") as HTMLSelectElement;
    expect(optional.options[0]?.disabled).toBe(false);
    expect(needed.options[0]?.disabled).toBe(true);
  });

  it("reports a checkbox as true/false", () => {
    const onChange = show(field({ field_type: "boolean", label: "Partner" }), null);
    fireEvent.click(screen.getByLabelText("Partner"));
    expect(onChange).toHaveBeenCalledWith(true);
  });

  it("reports a boolean shown as radio buttons", () => {
    const onChange = show(field({ field_type: "boolean", input_type: "radio", label: "Partner" }), true);
    fireEvent.click(screen.getByLabelText("No"));
    expect(onChange).toHaveBeenCalledWith(false);
  });

  it("reports radio options and can clear an optional one", () => {
    const onChange = show(field({ field_type: "select", input_type: "radio", options }), "saas");
    fireEvent.click(screen.getByLabelText("Retail"));
    expect(onChange).toHaveBeenLastCalledWith("retail");
    fireEvent.click(screen.getByRole("button", { name: "Clear" }));
    expect(onChange).toHaveBeenLastCalledWith(null);
  });

  it("adds and removes multi-select choices", () => {
    const onChange = show(field({ field_type: "multi_select", options }), ["saas"]);
    fireEvent.click(screen.getByLabelText("Retail"));
    expect(onChange).toHaveBeenLastCalledWith(["saas", "retail"]);
    fireEvent.click(screen.getByLabelText("SaaS"));
    expect(onChange).toHaveBeenLastCalledWith([]);
  });

  it("reports typed text as is", () => {
    const onChange = show(field({ field_type: "text", label: "Name" }), "");
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Ada" } });
    expect(onChange).toHaveBeenCalledWith("Ada");
  });

  it("disables every control when disabled", () => {
    render(
      <FieldInput
        definition={field({ field_type: "multi_select", options })}
        value={[]}
        onChange={() => undefined}
        disabled
      />,
    );
    for (const box of screen.getAllByRole("checkbox")) expect((box as HTMLInputElement).matches(":disabled")).toBe(true);
  });
});
