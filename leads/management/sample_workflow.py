"""The sample sales pipeline and the pools sample leads are drawn from, as data.

`init_lead_data` turns this into a config and stages through the services; nothing here
touches the database. The inputs are the services' own input models, so a mistake in this
data fails at import, not half-way through loading it.
"""

from __future__ import annotations

from leads.domain.enums import ActivityType, FieldType, StageKind, TaskPriority
from leads.domain.fields import FieldDefinition, FieldOption
from leads.domain.inputs import StageCreate, TaskTemplateInput

WORKFLOW_NAME = "Sales pipeline"
VALUE_FIELD = "budget"
# What the forecast report groups open leads by.
FORECAST_DATE_FIELD = "expected_close_date"
INITIAL_STAGE = "stage-new"


def _options(*pairs: tuple[str, str]) -> list[FieldOption]:
    return [FieldOption(value=value, label=label) for value, label in pairs]


FIELDS: list[FieldDefinition] = [
    FieldDefinition(
        field_key="budget",
        label="Budget",
        field_type=FieldType.CURRENCY,
        required=True,
        min=0,
        help_text="What the lead expects to spend; the board sums it per stage.",
        placeholder="25000",
        order=0,
    ),
    FieldDefinition(
        field_key="industry",
        label="Industry",
        field_type=FieldType.SELECT,
        options=_options(
            ("saas", "SaaS"),
            ("retail", "Retail"),
            ("manufacturing", "Manufacturing"),
            ("finance", "Finance"),
            ("healthcare", "Healthcare"),
            ("education", "Education"),
            ("other", "Other"),
        ),
        help_text="The lead's main line of business; needed to qualify it.",
        order=1,
    ),
    FieldDefinition(
        field_key="website",
        label="Website",
        field_type=FieldType.URL,
        placeholder="https://example.com",
        order=2,
    ),
    FieldDefinition(
        field_key="expected_close_date",
        label="Expected close date",
        field_type=FieldType.DATE,
        help_text="When you expect the deal to be signed; needed before a proposal goes out.",
        order=3,
    ),
    FieldDefinition(
        field_key="company_size",
        label="Company size",
        field_type=FieldType.INTEGER,
        min=1,
        help_text="Number of employees.",
        placeholder="50",
        order=4,
    ),
    FieldDefinition(
        field_key="decision_maker",
        label="Decision maker",
        field_type=FieldType.TEXT,
        max_length=120,
        help_text="Who signs off on the purchase; needed to negotiate.",
        placeholder="Name and role",
        order=5,
    ),
    FieldDefinition(
        field_key="notes",
        label="Notes",
        field_type=FieldType.LONG_TEXT,
        help_text="Background the whole team should know.",
        order=6,
    ),
]


# Why a deal was lost: asked for when a lead moves to Lost.
LOST_REASONS: list[FieldOption] = _options(
    ("price", "Price"),
    ("timing", "Timing"),
    ("competitor", "Went with a competitor"),
    ("no_budget", "No budget"),
    ("no_response", "No response"),
    ("other", "Other"),
)


def _task(
    title: str,
    *,
    hours: int,
    required: bool = False,
    description: str = "",
    priority: TaskPriority = TaskPriority.NORMAL,
) -> TaskTemplateInput:
    # What a stage does not require, a seller may decide not to do: skipping says so.
    return TaskTemplateInput(
        title=title,
        description=description,
        required=required,
        skippable=not required,
        due_in_hours=hours,
        priority=priority,
    )


# Pipeline order. Each open stage goes one step forward, one step back (after New) or to Lost;
# `rot_after_days` grows with the stage, as later deals move slower. Reopening a won or lost
# lead is the admins' call into any open stage (the transition rules allow it without an
# edge), so the closed stages lead nowhere.
STAGES: list[StageCreate] = [
    StageCreate(
        uid="stage-new",
        name="New",
        slug="new",
        color="#64748b",
        order=0,
        probability=10,
        description="Just arrived; nobody has talked to them yet.",
        allowed_next_stages=["stage-contacted", "stage-lost"],
        rot_after_days=3,
        task_templates=[
            _task(
                "Research the company",
                hours=24,
                required=True,
                description="Website, size, industry and who is likely to decide.",
            ),
        ],
    ),
    StageCreate(
        uid="stage-contacted",
        name="Contacted",
        slug="contacted",
        color="#0284c7",
        order=1,
        probability=20,
        description="First conversation held or first email answered.",
        allowed_next_stages=["stage-qualified", "stage-new", "stage-lost"],
        rot_after_days=7,
        task_templates=[
            _task("Make the introduction call", hours=48, required=True),
            _task("Send a follow-up email with material", hours=72),
        ],
    ),
    StageCreate(
        uid="stage-qualified",
        name="Qualified",
        slug="qualified",
        color="#7c3aed",
        order=2,
        probability=40,
        description="Budget, need and timing confirmed: worth a proposal.",
        allowed_next_stages=["stage-proposal", "stage-contacted", "stage-lost"],
        rot_after_days=10,
        required_fields=["industry"],
        task_templates=[
            _task(
                "Run a discovery meeting",
                hours=72,
                required=True,
                description="Confirm budget, authority, need and timing.",
            ),
            _task("Identify the decision maker", hours=120),
        ],
    ),
    StageCreate(
        uid="stage-proposal",
        name="Proposal",
        slug="proposal",
        color="#d97706",
        order=3,
        probability=60,
        description="A written proposal is with the lead.",
        allowed_next_stages=["stage-negotiation", "stage-qualified", "stage-lost"],
        rot_after_days=14,
        required_fields=["expected_close_date"],
        task_templates=[
            _task(
                "Send the proposal",
                hours=48,
                required=True,
                priority=TaskPriority.HIGH,
            ),
            _task("Walk the lead through the proposal", hours=120),
        ],
    ),
    StageCreate(
        uid="stage-negotiation",
        name="Negotiation",
        slug="negotiation",
        color="#db2777",
        order=4,
        probability=80,
        description="Terms, price and paperwork are being agreed.",
        allowed_next_stages=["stage-won", "stage-proposal", "stage-lost"],
        rot_after_days=14,
        required_fields=["decision_maker"],
        task_templates=[
            _task("Agree on price and terms", hours=120, required=True),
            _task(
                "Send the contract for signature",
                hours=168,
                required=True,
                priority=TaskPriority.HIGH,
            ),
        ],
    ),
    StageCreate(
        uid="stage-won",
        name="Won",
        slug="won",
        color="#16a34a",
        order=5,
        kind=StageKind.WON,
        probability=100,
        allowed_next_stages=[],
        description="Signed. Hand the customer over.",
        task_templates=[
            _task("Hand over to onboarding", hours=24, required=True),
            _task("Send a thank-you note", hours=48),
        ],
    ),
    StageCreate(
        uid="stage-lost",
        name="Lost",
        slug="lost",
        color="#dc2626",
        order=6,
        kind=StageKind.LOST,
        probability=0,
        allowed_next_stages=[],
        description="Not buying now. Say why, so the team learns.",
        task_templates=[
            _task("Schedule a check-in in six months", hours=72),
        ],
    ),
]


# -- sample leads ------------------------------------------------------------------------

FIRST_NAMES = [
    "Amara", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Keisha", "Liam", "Maya", "Nikolai", "Olivia", "Pedro", "Quinn", "Rosa", "Samir", "Tessa",
    "Umar", "Vera", "Wei", "Yara", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Becker", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Hansen",
    "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
    "Rossi", "Santos", "Tanaka", "Underwood", "Vasquez", "Weber", "Young", "Zhang",
]  # fmt: skip
JOB_TITLES = [
    "CEO", "CFO", "COO", "CTO", "Head of Sales", "Head of Operations", "IT Director",
    "Procurement Manager", "VP Marketing", "Founder",
]  # fmt: skip
# (company, web domain, industry). `.example` is reserved: no sample address can reach anyone.
COMPANIES = [
    ("Northwind Traders", "northwind.example", "retail"),
    ("Bluefin Analytics", "bluefin-analytics.example", "saas"),
    ("Copperleaf Health", "copperleaf.example", "healthcare"),
    ("Harbor & Pine Bank", "harborpine.example", "finance"),
    ("Ironbridge Manufacturing", "ironbridge.example", "manufacturing"),
    ("Brightpath Academy", "brightpath.example", "education"),
    ("Lumen Robotics", "lumen-robotics.example", "manufacturing"),
    ("Cedar Street Grocers", "cedarstreet.example", "retail"),
    ("Nimbus Cloudworks", "nimbus.example", "saas"),
    ("Meridian Clinics", "meridian-clinics.example", "healthcare"),
    ("Summit Ledger", "summitledger.example", "finance"),
    ("Oakridge University", "oakridge-u.example", "education"),
    ("Vantage Logistics", "vantage-logistics.example", "other"),
    ("Pixel Forge Studios", "pixelforge.example", "saas"),
    ("Greenfield Farms", "greenfield.example", "other"),
    ("Atlas Components", "atlas-components.example", "manufacturing"),
    ("Silverline Insurance", "silverline.example", "finance"),
    ("Tidewater Outfitters", "tidewater.example", "retail"),
    ("Quanta Labs", "quantalabs.example", "saas"),
    ("Evergreen Dental", "evergreen-dental.example", "healthcare"),
]
# 555-0100 to 555-0199 are reserved for fiction in North America.
AREA_CODES = [212, 312, 415, 617, 720]
SOURCES = ["Website", "Referral", "LinkedIn", "Trade show", "Cold outreach", "Webinar", "Partner"]
TAGS = ["enterprise", "smb", "inbound", "outbound", "priority", "upsell", "trial", "partner"]
COMPANY_SIZES = [4, 12, 25, 40, 75, 150, 320, 800, 2_500]
NOTES = [
    "Met at the spring trade show; interested in a pilot for one team.",
    "Current contract with a competitor ends next quarter.",
    "Asked for a security questionnaire before any call.",
    "Budget is approved for this fiscal year only.",
    "Prefers email; calls only on Tuesdays and Thursdays.",
    "Referred by an existing customer who is happy with onboarding.",
]
# What sellers log while a lead is in each sample stage, by stage slug: (type, what happened).
# Stages an admin added draw from GENERIC_ACTIVITIES.
STAGE_ACTIVITIES: dict[str, list[tuple[ActivityType, str]]] = {
    "new": [
        (ActivityType.EMAIL, "Sent an introduction email with a short overview of what we do."),
        (ActivityType.CALL, "Called the main number to introduce ourselves."),
        (ActivityType.NOTE, "Read their website and recent news; they are hiring in operations."),
        (ActivityType.EMAIL, "Replied to their enquiry from the website form."),
    ],
    "contacted": [
        (ActivityType.CALL, "Introduction call: they want to understand the pricing tiers."),
        (ActivityType.EMAIL, "Sent the follow-up material we talked about on the call."),
        (ActivityType.CALL, "Follow-up call about how they work today."),
        (ActivityType.NOTE, "They run this on spreadsheets today; reporting is the pain point."),
        (ActivityType.EMAIL, "Asked who else should join a discovery meeting."),
    ],
    "qualified": [
        (ActivityType.MEETING, "Discovery meeting with their team: need and timeline confirmed."),
        (ActivityType.CALL, "Call with the budget owner about the scope of a first rollout."),
        (
            ActivityType.NOTE,
            "Budget confirmed for this quarter; two other vendors are in the running.",
        ),
        (ActivityType.EMAIL, "Shared a case study from their industry."),
        (ActivityType.MEETING, "Demo for the team leads; good questions about integrations."),
    ],
    "proposal": [
        (ActivityType.EMAIL, "Sent the proposal with two pricing options."),
        (ActivityType.MEETING, "Walked them through the proposal; questions about onboarding."),
        (ActivityType.CALL, "Answered questions about the contract terms."),
        (ActivityType.NOTE, "They asked for a discount on a two-year term."),
        (ActivityType.EMAIL, "Sent the security documentation their IT team asked for."),
    ],
    "negotiation": [
        (ActivityType.CALL, "Negotiated the price; they want to pay in two instalments."),
        (ActivityType.MEETING, "Meeting with their procurement about terms."),
        (ActivityType.EMAIL, "Sent the revised contract."),
        (ActivityType.NOTE, "Legal review on their side, expected to take a week."),
        (ActivityType.CALL, "Checked in with the decision maker on the open points."),
    ],
    "won": [
        (ActivityType.EMAIL, "Introduced the customer to their onboarding manager."),
        (ActivityType.NOTE, "Signed contract filed; kick-off planned."),
    ],
    "lost": [
        (ActivityType.NOTE, "Closed for now; added to the newsletter list."),
    ],
}
GENERIC_ACTIVITIES: list[tuple[ActivityType, str]] = [
    (ActivityType.CALL, "Checked in by phone on the next steps."),
    (ActivityType.EMAIL, "Sent an update by email."),
    (ActivityType.NOTE, "Next step agreed with the lead."),
]
CALL_OUTCOMES = ["Connected", "Connected", "Left a voicemail", "No answer", "Asked to call back"]
# A few words a seller adds when a lead is lost, by lost reason.
LOST_NOTES: dict[str, list[str]] = {
    "price": [
        "Our offer was 20% above what they had in mind.",
        "Asked for a discount we cannot give.",
    ],
    "timing": ["Revisit after their fiscal year starts.", "Project postponed to next year."],
    "competitor": ["Chose a vendor they already work with.", "Went with a cheaper local provider."],
    "no_budget": ["Budget frozen for this year.", "Funding round delayed; no budget until then."],
    "no_response": [
        "Three calls and two emails without an answer.",
        "Stopped answering after the first call.",
    ],
    "other": ["The project was cancelled internally.", "They merged with another company."],
}
