"""The duplicate rule (Law art. 67 and decree No. 856: one registration per citizen): a
citizen may not submit a new application while an earlier one is still being considered (not in a
final refusal) or while they are in the queue (QUEUED). A refused application frees them to apply
again."""

from __future__ import annotations

from shared.housing.statuses import REFUSALS


def blocks_new_application(status: str) -> bool:
    """True when an application in ``status`` stops its applicant from submitting another: every
    status but the refusals (pending ones, and QUEUED: the person is in the queue)."""
    return status not in REFUSALS
