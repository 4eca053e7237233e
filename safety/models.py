"""The safety app's models, each defined in its part and gathered here, where
Django and the migrations look for them:

- nabohjaelp/: residents' Nabohjælp sign-ups, consent texts and targets;
- walks/: tryghedsvandringer and their findings;
- meldinger/: residents' reports of problems between walks ("Meld et problem");
- beredskab/: incidents, their timeline and partner notifications, the contact
  lists, and the crime-prevention network's meetings and tasks.
"""

from safety.beredskab.models import (
    Contact,
    FollowUpTask,
    Incident,
    IncidentEntry,
    IncidentNotification,
    NetworkMeeting,
)
from safety.meldinger.models import ResidentReport
from safety.nabohjaelp.models import (
    Channel,
    ConsentText,
    SignUp,
    SignUpTarget,
    Status,
    WithdrawalRequest,
    active_on,
)
from safety.walks.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    CloseReason,
    Finding,
    FindingCategory,
    FindingEvent,
    FindingPhoto,
    FindingStatus,
    RoutingRule,
    Walk,
    WalkTarget,
    finding_photo_path,
)

__all__ = [
    "OPEN_STATUSES",
    "TRANSITIONS",
    "Channel",
    "CloseReason",
    "ConsentText",
    "Contact",
    "Finding",
    "FindingCategory",
    "FindingEvent",
    "FindingPhoto",
    "FindingStatus",
    "FollowUpTask",
    "Incident",
    "IncidentEntry",
    "IncidentNotification",
    "NetworkMeeting",
    "ResidentReport",
    "RoutingRule",
    "SignUp",
    "SignUpTarget",
    "WithdrawalRequest",
    "Status",
    "Walk",
    "WalkTarget",
    "active_on",
    "finding_photo_path",
]
