"""Every table Kept keeps, re-exported so `import storage.models` registers them all."""

from storage.models.audit import InboundReceipt, LogEntry
from storage.models.calendars import CalendarSpan, SchoolCalendar
from storage.models.outbox import Notification
from storage.models.partnerships import STAGES, Mou, Partnership, PartnershipChannel, PartnershipSchool
from storage.models.people import ChatTenant, Identity, Member, Network, School
from storage.models.platforms import ConversationRef, InviteCode, SlackInstallation, SlackOAuthState
from storage.models.reviews import ReviewLink
from storage.models.search import outside_models
from storage.models.work import (
    ChecklistItem,
    Commitment,
    JointSession,
    Listing,
    Match,
    NetworkWord,
    SessionSchool,
)

__all__ = [
    "STAGES",
    "CalendarSpan",
    "outside_models",
    "ChatTenant",
    "ChecklistItem",
    "Commitment",
    "ConversationRef",
    "Identity",
    "InboundReceipt",
    "InviteCode",
    "JointSession",
    "Listing",
    "LogEntry",
    "Match",
    "Member",
    "Mou",
    "Network",
    "NetworkWord",
    "Notification",
    "Partnership",
    "PartnershipChannel",
    "PartnershipSchool",
    "ReviewLink",
    "School",
    "SchoolCalendar",
    "SessionSchool",
    "SlackInstallation",
    "SlackOAuthState",
]
