from enum import StrEnum


class WorkItemStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"
    ARCHIVED = "archived"


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    CURRENCY = "currency"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    SELECT = "select"
    MULTI_SELECT = "multi_select"


class InputType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    EMAIL = "email"
    TEL = "tel"
    URL = "url"
    DATE = "date"
    DATETIME = "datetime"
    CHECKBOX = "checkbox"
    SELECT = "select"
    MULTISELECT = "multiselect"
    RADIO = "radio"


class TaskStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SKIPPED = "skipped"

    @property
    def is_done(self) -> bool:
        """THE definition of a finished task: completed or skipped. Everything else is open."""
        return self in DONE_TASK_STATUSES


DONE_TASK_STATUSES = frozenset({TaskStatus.COMPLETED, TaskStatus.SKIPPED})


class TaskPriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ActivityType(StrEnum):
    NOTE = "note"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    STAGE_CHANGE = "stage_change"
    TASK = "task"
    FIELD_CHANGE = "field_change"
    ASSIGNMENT = "assignment"
    SYSTEM = "system"


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class UserRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


# The first input type is the one a field gets when its definition names none.
INPUT_TYPES_BY_FIELD_TYPE: dict[FieldType, tuple[InputType, ...]] = {
    FieldType.TEXT: (InputType.TEXT, InputType.TEXTAREA),
    FieldType.LONG_TEXT: (InputType.TEXTAREA, InputType.TEXT),
    FieldType.INTEGER: (InputType.NUMBER,),
    FieldType.DECIMAL: (InputType.NUMBER,),
    FieldType.CURRENCY: (InputType.NUMBER,),
    FieldType.BOOLEAN: (InputType.CHECKBOX, InputType.RADIO),
    FieldType.DATE: (InputType.DATE,),
    FieldType.DATETIME: (InputType.DATETIME,),
    FieldType.EMAIL: (InputType.EMAIL, InputType.TEXT),
    FieldType.PHONE: (InputType.TEL, InputType.TEXT),
    FieldType.URL: (InputType.URL, InputType.TEXT),
    FieldType.SELECT: (InputType.SELECT, InputType.RADIO),
    FieldType.MULTI_SELECT: (InputType.MULTISELECT, InputType.CHECKBOX),
}

NUMERIC_FIELD_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.CURRENCY})
TEXT_FIELD_TYPES = frozenset(
    {FieldType.TEXT, FieldType.LONG_TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL}
)
CHOICE_FIELD_TYPES = frozenset({FieldType.SELECT, FieldType.MULTI_SELECT})
