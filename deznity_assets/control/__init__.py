"""The control plane: claim, write-back, reconcile, retry, review and the project log; the only writer of client
and project rows (and of the portfolio page that shows them)."""

from .plane import ClaimError, ClaimResult, ControlPlane, RetryError
from .projectlog import ProjectLog
from .resume import RESUME_TAG, RunPlan, claim_plan
from .runs import ATTEMPT_TAG, CLIENT_TAG, FINISHED, PARTITION_TAG, run_key, run_tags

__all__ = [
    "ATTEMPT_TAG",
    "CLIENT_TAG",
    "FINISHED",
    "PARTITION_TAG",
    "RESUME_TAG",
    "ClaimError",
    "ClaimResult",
    "ControlPlane",
    "ProjectLog",
    "RetryError",
    "RunPlan",
    "claim_plan",
    "run_key",
    "run_tags",
]
