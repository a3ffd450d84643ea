"""The provider's Condition 3 queries rest on the signed application (architecture §9; shared/consent.py):
each carries it as delivered — the applicant's signature over the Annex 3 consents, the gateway's stamp
beside it — and the registries answer only under it: not under another citizen's application, nor under
a mere reference."""

from __future__ import annotations

import pytest

from services.provider.registry_facts import gather_facts
from shared.errors import AppError
from shared.participants import user_id
from tests.support.provider import World

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def test_condition_3_is_asked_under_the_signed_application(world: World) -> None:
    iin = await world.persona("marriage_before_2008")
    application = await world.application(iin)
    signed = world.stamp(await world.signed(application))

    gathered = await gather_facts(world.registries, application, consent=signed, user_id=user_id(iin))

    assert [a.outcome for a in gathered.answers] == ["ok"] * len(gathered.answers)
    assert {a.subject for a in gathered.answers} >= {iin} and len(gathered.answers) >= 3


async def test_another_citizens_application_is_no_consent(world: World) -> None:
    iin, other = (await world.personas("eligible", 2))[:2]
    application = await world.application(iin)
    theirs = world.stamp(await world.signed(await world.application(other)))

    with pytest.raises(AppError) as caught:
        await gather_facts(world.registries, application, consent=theirs, user_id=user_id(iin))
    assert caught.value.code == "CONSENT_NOT_APPLICABLE"


async def test_a_consent_reference_is_no_longer_enough(world: World) -> None:
    """Finding 9: the reference ``application:<id>`` the provider used to send is refused."""
    iin = await world.persona("eligible")
    application = await world.application(iin)
    reference = {"reference": f"application:{application.id}"}

    with pytest.raises(AppError) as caught:
        await gather_facts(world.registries, application, consent=reference, user_id=user_id(iin))
    assert caught.value.code == "CONSENT_INVALID"
