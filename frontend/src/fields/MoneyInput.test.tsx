import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { amountValue, formatAmount, MoneyInput } from "./MoneyInput";
import { BAD_NUMBER } from "./validation";
import type { FieldValue } from "./values";

afterEach(cleanup);

function Harness({ start }: { start: string }) {
  const [value, setValue] = useState<FieldValue>(start);
  return (
    <>
      <MoneyInput aria-label="Budget" value={typeof value === "string" ? value : ""} onChange={setValue} />
      <output data-testid="value">{typeof value === "string" ? value : "bad"}</output>
    </>
  );
}

describe("MoneyInput", () => {
  it("shows a stored amount formatted, not as a raw figure", () => {
    render(<Harness start="201000" />);
    expect(screen.getByLabelText("Budget")).toHaveProperty("value", "201,000");
  });

  it("edits the plain number and reports it without commas", () => {
    render(<Harness start="201000" />);
    const input = screen.getByLabelText("Budget");
    fireEvent.focus(input);
    expect(input).toHaveProperty("value", "201000");
    fireEvent.change(input, { target: { value: "1,500.5" } });
    expect(screen.getByTestId("value").textContent).toBe("1500.5");
    fireEvent.blur(input);
    expect(input).toHaveProperty("value", "1,500.5");
  });

  it("reads text that is not a number as a bad number", () => {
    expect(amountValue("abc")).toBe(BAD_NUMBER);
    expect(amountValue(" ")).toBe("");
    expect(formatAmount("abc")).toBe("abc");
  });
});
