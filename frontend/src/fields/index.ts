// Forms generated from the workflow's custom field definitions (config.variables).
export { FieldInput, inputTypeOf, type FieldInputProps } from "./FieldInput";
export { checkFields, fieldsData, FieldsInputs, initialFields, type FieldsFormState } from "./FieldsForm";
export {
  BAD_NUMBER,
  describeProblem,
  fieldProblem,
  isBlank,
  isCalendarDate,
  isDateTime,
  isEmailAddress,
  isPhoneNumber,
  isWebAddress,
  parseNumber,
  validateData,
  validateFieldValue,
  withoutError,
} from "./validation";
export {
  blankValue,
  emptyValue,
  formatFieldValue,
  fromLocalInput,
  fromServerValue,
  isoWithOffset,
  toLocalInput,
  toServerValue,
  type FieldValue,
} from "./values";
export { plainTextDefinition, sortedDefinitions } from "./definitions";
