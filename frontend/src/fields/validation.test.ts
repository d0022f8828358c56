import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "../api/types";
import { fieldDefinition as field } from "../test/builders";
import { BAD_NUMBER, validateData, validateFieldValue } from "./validation";

/** Checks what `validateFieldValue` says of each value: its message, or null to accept it. */
function expectVerdicts(definition: FieldDefinition, cases: [unknown, string | null][]) {
  for (const [value, message] of cases) {
    expect(validateFieldValue(definition, value), JSON.stringify(value)).toBe(message);
  }
}

const options = [
  { value: "saas", label: "SaaS" },
  { value: "retail", label: "Retail" },
  { value: "other", label: "Other" },
];

describe("blank and required", () => {
  const optional = field({ field_type: "text" });
  const required = field({ field_type: "text", required: true, label: "Name" });

  it.each([null, undefined, "", "   ", []])("accepts the blank value %j when not required", (value) => {
    expect(validateFieldValue(optional, value)).toBeNull();
  });

  it.each([null, "", "  \t", []])("refuses the blank value %j when required", (value) => {
    expect(validateFieldValue(required, value)).toBe("Name is required.");
  });

  it("counts false as a value for a required boolean, as the server does", () => {
    expect(validateFieldValue(field({ field_type: "boolean", required: true }), false)).toBeNull();
  });
});

describe("text and long_text", () => {
  it("accepts text within min_length/max_length (trimmed, counted in characters)", () => {
    const definition = field({ field_type: "text", min_length: 2, max_length: 5 });
    expect(validateFieldValue(definition, "  abc  ")).toBeNull();
    expect(validateFieldValue(definition, "😀😀")).toBeNull();
  });

  it("refuses text shorter or longer than allowed", () => {
    const definition = field({ field_type: "text", min_length: 2, max_length: 5, label: "Code" });
    expect(validateFieldValue(definition, "a")).toBe("Code must have at least 2 characters.");
    expect(validateFieldValue(definition, "abcdef")).toBe("Code must have at most 5 characters.");
  });

  it("applies the server's hard caps: 1000 for text, 20000 for long_text", () => {
    expect(validateFieldValue(field({ field_type: "text" }), "x".repeat(1001))).toMatch(/at most 1000/);
    expect(validateFieldValue(field({ field_type: "long_text" }), "x".repeat(1001))).toBeNull();
    expect(validateFieldValue(field({ field_type: "long_text" }), "x".repeat(20_001))).toMatch(
      /at most 20000/,
    );
  });

  it("needs the pattern to match the whole value", () => {
    const definition = field({ field_type: "text", pattern: "[A-Z]{3}-\\d+" });
    expect(validateFieldValue(definition, "ABC-12")).toBeNull();
    expect(validateFieldValue(definition, "xABC-12")).toBe("Field does not match the required format.");
    expect(validateFieldValue(definition, "ABC-12x")).toBe("Field does not match the required format.");
  });

  it("leaves a Python-only pattern to the server instead of guessing", () => {
    const definition = field({ field_type: "text", pattern: "(?P<code>[a-z]+)" });
    expect(validateFieldValue(definition, "anything 123")).toBeNull();
  });

  it("refuses a value that is not a string", () => {
    expect(validateFieldValue(field({ field_type: "text" }), 12)).toBe("Field must be a string.");
  });
});

describe("integer", () => {
  const definition = field({ field_type: "integer", min: 1, max: 1000, label: "Company size" });

  it.each(["1", " 42 ", "1,000", "1e2", "7.0", 500, "+3"])("accepts %j", (value) => {
    expect(validateFieldValue(definition, value)).toBeNull();
  });

  it("refuses fractions, text and numbers the browser could not read", () => {
    const whole = "Company size must be a whole number.";
    const number = "Company size must be a number.";
    expectVerdicts(definition, [["2.5", whole], ["abc", number], ["0x10", number], [BAD_NUMBER, whole], [true, number]]);
  });

  it("refuses values outside min/max", () => {
    expect(validateFieldValue(definition, "0")).toBe("Company size must be at least 1.");
    expect(validateFieldValue(definition, 1001)).toBe("Company size must be at most 1000.");
  });

  it("refuses what MongoDB cannot store as an integer", () => {
    const unbounded = field({ field_type: "integer" });
    expect(validateFieldValue(unbounded, "1e19")).toBe("Field is too large.");
  });
});

describe("decimal and currency", () => {
  it("accepts decimals and refuses non-numbers and infinities", () => {
    const infinite = "Score must be a finite number.";
    expectVerdicts(field({ field_type: "decimal", label: "Score" }), [
      ["3.14", null],
      [".5", null],
      ["1_000.5", null],
      ["3.1.4", "Score must be a number."],
      ["inf", infinite],
      ["1e400", infinite],
    ]);
  });

  it("checks a currency's range after rounding to cents, like the server", () => {
    expectVerdicts(field({ field_type: "currency", min: 0, label: "Budget" }), [
      ["25000", null],
      ["-0.001", null],
      ["-1", "Budget must be at least 0."],
      ["lots", "Budget must be a number."],
      [BAD_NUMBER, "Budget must be a number."],
    ]);
  });
});

describe("boolean", () => {
  const definition = field({ field_type: "boolean" });

  it.each([true, false, "true", " FALSE "])("accepts %j", (value) => {
    expect(validateFieldValue(definition, value)).toBeNull();
  });

  it.each(["yes", 1, "0"])("refuses %j", (value) => {
    expect(validateFieldValue(definition, value)).toBe("Field must be true or false.");
  });
});

describe("date and datetime", () => {
  it("accepts real calendar dates only", () => {
    const notDate = "Close date must be a date (YYYY-MM-DD).";
    expectVerdicts(field({ field_type: "date", label: "Close date" }), [
      ["2027-01-31", null],
      ["2024-02-29", null],
      ["2025-02-29", notDate],
      ["31/01/2027", notDate],
      ["2027-13-01", notDate],
    ]);
  });

  it("accepts ISO date-times with or without an offset and refuses the rest", () => {
    const notDateTime = "Demo at must be a date and time.";
    expectVerdicts(field({ field_type: "datetime", label: "Demo at" }), [
      ["2026-11-26T14:30", null],
      ["2026-11-26T14:30:00+01:00", null],
      ["2026-11-26T14:30:00.123Z", null],
      ["2026-11-26", null],
      ["2026-11-26T14:30 tomorrow", notDateTime],
      ["2026-11-26T25:00", notDateTime],
      ["tomorrow", notDateTime],
    ]);
  });
});

describe("email", () => {
  const definition = field({ field_type: "email", label: "Billing email" });

  it.each(["ada@example.com", "user+tag@sub.example.co", "x@foo.example", "ü@exämple.com"])(
    "accepts %s",
    (value) => {
      expect(validateFieldValue(definition, value)).toBeNull();
    },
  );

  it.each(["a@b", "a b@c.com", "a..b@c.com", ".a@c.com", "a@-c.com", "a@c.test", "a@1.2.3.4", "plain"])(
    "refuses %s",
    (value) => {
      expect(validateFieldValue(definition, value)).toBe("Billing email must be an email address.");
    },
  );

  it("applies text rules (max_length) to email fields too", () => {
    const short = field({ field_type: "email", max_length: 5 });
    expect(validateFieldValue(short, "ada@example.com")).toBe("Field must have at most 5 characters.");
  });
});

describe("phone", () => {
  const definition = field({ field_type: "phone", label: "Phone" });

  it.each(["+1 (415) 555-0100", "030/1234567", "  0044   20 7946 0000 ", "1234"])("accepts %s", (value) => {
    expect(validateFieldValue(definition, value)).toBeNull();
  });

  it.each(["12", "call me", "+1-415-555-0100 ext 3", "--- ---", "1".repeat(32)])("refuses %s", (value) => {
    expect(validateFieldValue(definition, value)).toBe(
      "Phone must be a phone number (digits, spaces, + ( ) . / -).",
    );
  });
});

describe("url", () => {
  const definition = field({ field_type: "url", label: "Website" });

  it.each(["https://example.com", "http://a", "https://example.com/x?y=1", "HTTP://A.COM"])(
    "accepts %s",
    (value) => {
      expect(validateFieldValue(definition, value)).toBeNull();
    },
  );

  it.each(["example.com", "ftp://example.com", "http://", "http://exa mple.com", "mailto:a@b.com"])(
    "refuses %s",
    (value) => {
      expect(validateFieldValue(definition, value)).toBe(
        "Website must be a web address (http:// or https://).",
      );
    },
  );
});

describe("select", () => {
  const definition = field({ field_type: "select", options, label: "Industry" });

  it("accepts one of the options", () => {
    expect(validateFieldValue(definition, "saas")).toBeNull();
  });

  it("refuses anything else", () => {
    expect(validateFieldValue(definition, "SaaS")).toBe("Industry must be one of the options.");
    expect(validateFieldValue(definition, ["saas"])).toBe("Industry must be one of the options.");
  });

  it("works the same for a select shown as radio buttons", () => {
    const radio = field({ field_type: "select", input_type: "radio", options, required: true });
    expect(validateFieldValue(radio, "other")).toBeNull();
    expect(validateFieldValue(radio, "")).toBe("Field is required.");
  });
});

describe("multi_select", () => {
  const definition = field({ field_type: "multi_select", options, min_length: 1, max_length: 2, label: "Segments" });

  it("accepts a subset of the options within the count limits", () => {
    expect(validateFieldValue(definition, ["saas"])).toBeNull();
    expect(validateFieldValue(definition, ["saas", "retail", "saas"])).toBeNull();
  });

  it("refuses unknown options, too many choices and non-lists", () => {
    expectVerdicts(definition, [
      [["saas", "space"], "Segments holds an option that does not exist."],
      [["saas", "retail", "other"], "Segments must have at most 2 choices."],
      ["saas", "Segments must be a list of options."],
    ]);
  });

  it("treats no choice as blank (so min_length only applies once something is chosen)", () => {
    expect(validateFieldValue(definition, [])).toBeNull();
  });
});

describe("validateData", () => {
  const budget = field({ field_key: "budget", label: "Budget", field_type: "currency", required: true, min: 0 });
  const industry = field({ field_key: "industry", label: "Industry", field_type: "select", options });
  const size = field({ field_key: "size", label: "Size", field_type: "integer", required: true, default: 10 });

  it("keys every problem data.<field_key>", () => {
    expect(validateData([budget, industry, size], { budget: "-5", industry: "mars", size: "2.5" })).toEqual({
      "data.budget": "Budget must be at least 0.",
      "data.industry": "Industry must be one of the options.",
      "data.size": "Size must be a whole number.",
    });
  });

  it("on a create, needs required keys unless their definition has a default", () => {
    expect(validateData([budget, industry, size], {})).toEqual({ "data.budget": "Budget is required." });
  });

  it("on an update (partial), checks only the keys sent", () => {
    expect(validateData([budget, industry, size], { industry: "saas" }, { partial: true })).toEqual({});
    expect(validateData([budget, industry], { budget: null }, { partial: true })).toEqual({
      "data.budget": "Budget is required.",
    });
  });

  it("refuses keys that are not fields of the workflow", () => {
    expect(validateData([industry], { colour: "red" }, { partial: true })).toEqual({
      "data.colour": "colour is not a field of this workflow.",
    });
  });
});
