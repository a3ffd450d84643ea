"""The autopilot (architecture §6): a client that plays every district's demo staff through the provider's
public staff API, as the people would, so that every application reaches its result within seconds; and,
given the Center's URL and its demo operators' password, the Public Service Center's back office.

It logs in as the demo logins (``<seat>.<district>``: the provider's roster, one password), has the test NCA
issue each person who signs an employee SIGN certificate once (the keys stay in this process's memory, never
on disk, never sent anywhere), and about once a second answers what the Public Service Center handed each
district and moves every open case of every district one step:

    3  the specialist acknowledges every handover of the Center waiting for an answer (a register of originals,
       an Annex 4 register of unclaimed results, a recall: the result sent back), when the head's SLA view
       counts one; each is logged with its kind, branch and total
    4  the head signs the resolution (the executor: the district's specialist)
    5  the specialist puts the case to the commission with the provider's suggestion
    6  the commission's secretary opens a meeting with the chair, the secretary and a member present over
       the district's cases at step 6; then, one a second, each member present signs the protocol (the
       chair first, as its author; the others approve)
    7  the specialist draws up the result
    8  the head signs it
    9  the specialist dispatches it

The Center's back office (`Autopilot.center`), for each of its ``branches`` (the Center's demo roster:
``operator-1.<branch>``, ``head.<branch>``, one password; an employee SIGN certificate of the Center's BIN
each, once, when they first sign):

    Annex 1 step 2   at each register time (the branch's schedule: twice a working day, none on a day off),
                     the operator signs and sends the register of originals of each district with applications
                     accepted before it
    §14 item 1       at the same register time, the head signs and sends the Annex 4 register of each
                     district's unclaimed results (the head signs in only when the branch has some)

A branch's schedule is read once at the start (the operator signs in then, once a run) and after that at its
next register time, at most `LOOK_EVERY_S` (``look_every``) later; each register sent is logged with its
branch, district and total. The provider's side then acknowledges it (step 3 above), which the Center shows as
``accepted_by``.

It reads and writes nothing but the provider's, the Center's and the NCA's HTTP APIs (never a database): what
a service refuses because someone took the step meanwhile (CONFLICT) it leaves; any other refusal (a case the
suggestion does not decide, an NCA that fails) it logs once and tries again only after `RETRY_AFTER_S`. A
wrong password stops it at the first login (the demo accounts lock after repeated wrong passwords), with the
reason in the log; the Center's password missing or refused is logged once and leaves the Center to people,
the provider's staff played on.

    python -m services with AUTOPILOT=1     # `make run`: starts it once the services are ready

`Autopilot.tick` is one pass (what tests drive); `Autopilot.run` loops until told to stop; `serve` waits for
the services to answer ``/ready``, then runs the loop in a worker thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from client.operator import OperatorClient, sign_register
from client.operator import employee_key as operator_key
from client.sdk import NcaClient, ServiceError
from client.staff import StaffClient, employee_key, sign_draft_result, sign_protocol, sign_resolution
from shared.eds.signing import Signer
from shared.geo import DISTRICTS
from shared.logging import get_logger

log = get_logger(__name__)

HEAD = "head"
SPECIALIST = "specialist"
CHAIR = "commission-chair"
SECRETARY = "commission-secretary"
MEMBERS = ("commission-member-1", "commission-member-2", "commission-member-3")
SEATS = (SPECIALIST, HEAD, CHAIR, SECRETARY, *MEMBERS)
"""The seats of a district's demo roster (the provider's ``staff.ROSTER``): logins ``<seat>.<district>``."""
PRESENT = (CHAIR, SECRETARY, MEMBERS[0])
"""Who the autopilot's meetings have present: three of the five, the chair among them (the quorum)."""
MAX_AGENDA = 100
"""Cases one meeting decides (`shared.housing.decisions.MAX_AGENDA`)."""
RETRY_AFTER_S = 30.0
"""How long a step the provider (or the NCA) refused is left before it is tried again."""
ACKNOWLEDGE = 3
"""The step a handover's acknowledgment is recorded as in `Moves` (Annex 1 step 3: the specialist accepts)."""
MAX_HANDOVERS = 100
"""Handovers one pass acknowledges in a district; more wait for the next pass."""

CLERK = "operator-1"
BRANCH_HEAD = "head"
"""The seats of a Center branch's demo roster the autopilot plays (the Center's ``operators.ROSTER``): logins
``<seat>.<branch>``. The operator reads the schedule and sends the register of originals; the head signs the
Annex 4 register."""
ORIGINALS = "originals"
UNCLAIMED = "unclaimed"
"""What `Moves` records a Center's register as, in place of a step: the register of originals (Annex 1 step 2),
the Annex 4 register of unclaimed results (§14 item 1)."""
LOOK_EVERY_S = 60.0
"""The longest a branch's schedule is left unread; sooner when its next register time comes first."""


def demo_login(seat: str, district: str) -> str:
    return f"{seat}.{district}"


class WrongPassword(Exception):
    """The demo password was refused: the autopilot stops rather than lock the demo accounts."""


class CenterPasswordRefused(Exception):
    """The Center refused its demo operators' password: the autopilot leaves the Center's back office to people
    (one attempt a run: no lockout) and goes on with the provider's staff."""


@dataclass
class Person:
    """One demo staff member as the autopilot plays them: a signed-in client, and their key once needed."""

    login: str
    client: StaffClient
    me: dict[str, Any] | None = None
    signer: Signer | None = None


@dataclass
class Operator:
    """One demo operator (or head) of a Center branch as the autopilot plays them: a signed-in client, and their
    employee key once needed."""

    login: str
    client: OperatorClient
    me: dict[str, Any] | None = None
    signer: Signer | None = None


@dataclass
class Office:
    """A Center branch as the autopilot follows it: when to read its schedule next (``time.monotonic``), and
    the register time it has dealt with (the schedule's ``current_slot``)."""

    code: str
    look_at: float = 0.0
    slot: str | None = None


@dataclass
class Moves:
    """What one pass did: ``(login, step, case or meeting)`` for each move of the provider's staff, ``(login,
    ORIGINALS or UNCLAIMED, register)`` for each register the Center's sent, and the refusals it left (``what``:
    the district, for a register)."""

    done: list[tuple[str, int | str, str]] = field(default_factory=list)
    refused: list[tuple[str, int | str, str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.done)


class Autopilot:
    """The demo staff of ``districts`` (default: every district) on the provider at ``provider_url``, with
    keys from the NCA at ``nca_url`` (``ra_token`` when the NCA is not in test mode); with ``center_url``, also
    the back office of the Center's ``branches`` (their codes) with the demo operators' ``center_password``
    (none: logged once, and the Center is left to people), each branch's schedule read at least every
    ``look_every`` seconds. ``transport`` (the provider's and the Center's) and ``nca_transport`` replace the
    network (tests)."""

    def __init__(
        self,
        provider_url: str,
        nca_url: str,
        password: str,
        *,
        districts: Iterable[str] | None = None,
        ra_token: str | None = None,
        interval: float = 1.0,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        nca_transport: httpx.BaseTransport | None = None,
        center_url: str | None = None,
        center_password: str | None = None,
        branches: Iterable[str] = (),
        look_every: float = LOOK_EVERY_S,
    ) -> None:
        self.provider_url = provider_url
        self.nca_url = nca_url
        self.password = password
        self.districts = tuple(districts) if districts is not None else tuple(d.code for d in DISTRICTS)
        self.interval = interval
        self.timeout = timeout
        self.transport = transport
        self.nca = NcaClient(nca_url, ra_token=ra_token, timeout=timeout, transport=nca_transport)
        self.people: dict[str, Person] = {}
        self.center_url = center_url
        self.center_password = center_password
        self.branches = tuple(branches)
        self.look_every = look_every
        self.operators: dict[str, Operator] = {}
        self.offices: dict[str, Office] = {}
        self.center_off = center_url is None
        """The Center's back office is not played (no Center, or its password missing or refused)."""
        self._center_held = 0.0
        self._reported: set[tuple[str, ...]] = set()
        self._held: dict[tuple[str, int | str, str], float] = {}
        self._stop = threading.Event()

    # -- the people ------------------------------------------------------------------------------------
    def person(self, seat: str, district: str) -> Person:
        """The demo staff member of ``seat`` in ``district``, signed in (once; again when the token expires)."""
        return self._person(demo_login(seat, district))

    def _person(self, login: str) -> Person:
        person = self.people.get(login)
        if person is None:
            client = StaffClient(self.provider_url, timeout=self.timeout, transport=self.transport)
            person = self.people[login] = Person(login, client)
        if person.client.token is None:
            self._login(person)
        return person

    def _login(self, person: Person | Operator) -> None:
        try:
            if isinstance(person, Operator):
                person.client.login(person.login, self.center_password or "")
            else:
                person.client.login(person.login, self.password)
        except ServiceError as error:
            if error.code == "AUTH_INVALID_CREDENTIALS":
                raise (CenterPasswordRefused if isinstance(person, Operator) else WrongPassword)(
                    person.login
                ) from error
            raise

    def call(self, person: Person | Operator, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``action(*args, **kwargs)`` (a method of ``person.client``), signing in again once if the token
        has expired."""
        try:
            return action(*args, **kwargs)
        except ServiceError as error:
            if error.status != 401 or error.code == "AUTH_INVALID_CREDENTIALS":
                raise
        self._login(person)
        return action(*args, **kwargs)

    def key(self, person: Person) -> Signer:
        """The person's employee SIGN key, from the NCA the first time it is needed; kept in memory."""
        if person.signer is None:
            person.me = person.me or self.call(person, person.client.me)
            person.signer = employee_key(person.client, self.nca, me=person.me).signer()
            log.info("autopilot: an employee certificate for a demo staff member", login=person.login)
        return person.signer

    def _ours(self, login: object, district: str) -> bool:
        return isinstance(login, str) and any(login == demo_login(seat, district) for seat in SEATS)

    # -- one pass ----------------------------------------------------------------------------------------
    def tick(self) -> Moves:
        """Acknowledge every handover of the Center waiting in every district, and move every open case one step
        (a meeting: one signature); then the Center's back office (`center`). Raises `WrongPassword`; any other
        failure is logged once and left."""
        moves = Moves()
        for district in self.districts:
            if self._stop.is_set():
                break
            try:
                self._district(district, moves)
            except WrongPassword:
                raise
            except ServiceError as error:
                self._report(("district", district, error.code), "autopilot: the provider refused", error, district)
            except httpx.HTTPError as error:
                self._report(("unreachable", type(error).__name__), "autopilot: a service did not answer", error)
        if not self._stop.is_set():
            self.center(moves)
        return moves

    def _district(self, district: str, moves: Moves) -> None:
        head = self.person(HEAD, district)
        sla = self.call(head, head.client.sla)
        if sla.get("handovers_unacknowledged"):
            self._handovers(district, moves)
        waiting: dict[int, list[tuple[str, Any]]] = defaultdict(list)
        for item in sla.get("items", []):
            if isinstance(item.get("step"), int):
                waiting[item["step"]].append((str(item["case_number"]), item.get("executor")))
        for number, executor in waiting[9]:
            if (specialist := self._executor(district, executor)) is not None:
                self._step(moves, specialist, 9, number, lambda s, n: s.client.dispatch(n))
        for number, _ in waiting[8]:
            self._step(moves, head, 8, number, self._sign_result)
        for number, executor in waiting[7]:
            if (specialist := self._executor(district, executor)) is not None:
                self._step(moves, specialist, 7, number, lambda s, n: s.client.result_draft(n))
        if waiting[6]:
            self._commission(district, [number for number, _ in waiting[6]], moves)
        for number, executor in waiting[5]:
            if (specialist := self._executor(district, executor)) is not None:
                self._step(moves, specialist, 5, number, lambda s, n: s.client.prepare(n))
        for number, _ in waiting[4]:
            self._step(moves, head, 4, number, self._resolve)

    def _handovers(self, district: str, moves: Moves) -> None:
        """The district's specialist acknowledges each handover of the Center still RECEIVED."""
        specialist = self.person(SPECIALIST, district)
        page = self.call(specialist, specialist.client.handovers, state="RECEIVED", limit=MAX_HANDOVERS)
        for item in page.get("items", []):
            self._step(moves, specialist, ACKNOWLEDGE, str(item["id"]), self._acknowledge)

    def _acknowledge(self, specialist: Person, handover_id: str) -> Any:
        done = specialist.client.acknowledge(handover_id, self.key(specialist))
        log.info(
            "autopilot: a handover of the Public Service Center acknowledged",
            login=specialist.login,
            handover=handover_id,
            kind=done.get("kind"),
            branch=done.get("branch"),
            total=done.get("total"),
            returned_in_time=done.get("returned_in_time"),
        )
        return done

    def _executor(self, district: str, executor: object) -> Person | None:
        """Who takes an executor's step: the executor the resolution named, when the autopilot plays them;
        the district's specialist when none was named (a Process 7 case); None: a person's case, left."""
        if executor is None:
            return self.person(SPECIALIST, district)
        return self._person(str(executor)) if self._ours(executor, district) else None

    def _resolve(self, head: Person, number: str) -> Any:
        draft = self.call(head, head.client.resolution_draft, number)
        return head.client.resolve(number, sign_resolution(draft, self.key(head)))

    def _sign_result(self, head: Person, number: str) -> Any:
        draft = self.call(head, head.client.case, number).get("draft")
        if not draft:
            raise ServiceError(409, {"error": {"code": "CONFLICT", "message": "no draft result to sign yet"}})
        return head.client.sign_result(number, sign_draft_result(draft, self.key(head)))

    def _commission(self, district: str, at_step_6: Sequence[str], moves: Moves) -> None:
        secretary = self.person(SECRETARY, district)
        signing = self.call(secretary, secretary.client.meetings, status="signing").get("items", [])
        on_agenda: set[str] = set()
        for meeting in signing:
            on_agenda.update(str(n) for n in meeting.get("agenda", []))
            awaiting = meeting.get("awaiting") or []
            if awaiting and self._ours(awaiting[0], district):
                self._step(moves, self._person(str(awaiting[0])), 6, str(meeting["id"]), self._sign_protocol)
        agenda = [n for n in at_step_6 if n not in on_agenda][:MAX_AGENDA]
        if agenda:
            present = [demo_login(seat, district) for seat in PRESENT]
            self._step(
                moves, secretary, 6, ", ".join(agenda), lambda s, _: s.client.create_meeting(present, cases=agenda)
            )

    def _sign_protocol(self, member: Person, meeting_id: str) -> Any:
        meeting = self.call(member, member.client.meeting, meeting_id)
        return member.client.sign_meeting(meeting_id, sign_protocol(meeting, self.key(member)))

    def _step(self, moves: Moves, person: Person, step: int, what: str, act: Callable[[Person, str], Any]) -> None:
        key = (person.login, step, what)
        if time.monotonic() < self._held.get(key, 0.0):
            return
        try:
            self.call(person, act, person, what)
        except ServiceError as error:
            moves.refused.append((person.login, step, what, error.code))
            if error.code == "CONFLICT":  # taken meanwhile (by a person, or the state moved on): nothing to do
                log.debug("autopilot: step already taken", login=person.login, step=step, case=what)
                return
            self._held[key] = time.monotonic() + RETRY_AFTER_S
            message = (
                "autopilot: left for a person (the suggestion decides nothing: no list fits, no ground of §15)"
                if step == 5 and error.code == "VALIDATION_FAILED"
                else "autopilot: a step refused"
            )
            self._report((person.login, str(step), what, error.code), message, error, what)
            return
        self._held.pop(key, None)
        moves.done.append((person.login, step, what))
        log.info("autopilot: step taken", login=person.login, step=step, case=what)

    def _report(self, key: tuple[str, ...], message: str, error: Exception, what: str = "") -> None:
        """Log a failure once (the next pass would only repeat it)."""
        if key in self._reported:
            return
        self._reported.add(key)
        details = error.details if isinstance(error, ServiceError) else {}
        log.warning(message, what=what, error=str(error), details=details)

    # -- the Center's back office (Annex 1 step 2, §14 item 1) ---------------------------------------------
    def center(self, moves: Moves) -> None:
        """The Center's branches whose schedule is due a look: at each new register time the branch's operator
        sends the register of originals of every district with applications accepted before it, and the head
        hands the unclaimed results over with the Annex 4 register of each district. A branch is read again at
        its next register time (at most ``look_every`` later); one refused is tried again after `RETRY_AFTER_S`.
        The demo password missing or refused: logged once, and the Center is left to people from then on."""
        if self.center_off or time.monotonic() < self._center_held:
            return
        if not self.center_password:
            self.center_off = True
            log.warning(
                "autopilot: the Center's back office is left to people: no password for its demo operators "
                "(set CON_INTAKE_DEMO_PASSWORD)"
            )
            return
        for code in self.branches:
            if self._stop.is_set():
                return
            office = self.offices.setdefault(code, Office(code))
            if time.monotonic() < office.look_at:
                continue
            try:
                self._office(office, moves)
            except CenterPasswordRefused as error:
                self.center_off = True
                log.error(
                    "autopilot: the Center refused its demo operators' password; its back office is left to people "
                    "(set CON_INTAKE_DEMO_PASSWORD to the one the Center logged at its first start)",
                    login=str(error),
                )
                return
            except ServiceError as error:
                office.look_at = time.monotonic() + RETRY_AFTER_S
                self._report(("branch", code, error.code), "autopilot: the Center refused", error, code)
            except httpx.HTTPError as error:
                self._center_held = time.monotonic() + RETRY_AFTER_S
                self._report(("center", type(error).__name__), "autopilot: the Center did not answer", error, code)
                return

    def operator(self, seat: str, branch: str) -> Operator:
        """The Center's demo operator of ``seat`` at ``branch``, signed in (once; again when the token expires)."""
        login = demo_login(seat, branch)
        desk = self.operators.get(login)
        if desk is None:
            assert self.center_url is not None
            client = OperatorClient(self.center_url, timeout=self.timeout, transport=self.transport)
            desk = self.operators[login] = Operator(login, client)
        if desk.client.token is None:
            self._login(desk)
        return desk

    def operator_key(self, desk: Operator) -> Signer:
        """The operator's employee SIGN key (the Center's BIN), from the NCA the first time it is needed."""
        if desk.signer is None:
            desk.me = desk.me or self.call(desk, desk.client.me)
            desk.signer = operator_key(desk.client, self.nca, me=desk.me).signer()
            log.info("autopilot: an employee certificate for a demo operator of the Center", login=desk.login)
        return desk.signer

    def _office(self, office: Office, moves: Moves) -> None:
        clerk = self.operator(CLERK, office.code)
        schedule = self.call(clerk, clerk.client.originals_schedule)
        seen = time.monotonic()
        slot = schedule.get("current_slot")
        settled = True
        if slot is not None and slot != office.slot:
            due = sorted({str(p.get("district") or "") for p in schedule.get("pending", []) if _due(p, slot)})
            for district in due:
                settled = self._register(moves, clerk, ORIGINALS, district, self._send_originals) and settled
            settled = self._unclaimed(office.code, clerk, moves) and settled
            if settled:
                office.slot = str(slot)
        wait = (_moment(schedule["next_at"]) - _moment(schedule["now"])).total_seconds()
        office.look_at = seen + (min(max(wait, 0.0), self.look_every) if settled else RETRY_AFTER_S)

    def _unclaimed(self, branch: str, clerk: Operator, moves: Moves) -> bool:
        """The head hands over the branch's unclaimed results, one Annex 4 register a district; the head signs in
        only when there are some."""
        results = self.call(clerk, clerk.client.unclaimed)
        districts = sorted({str(r.get("district") or "") for r in results})
        if not districts:
            return True
        head = self.operator(BRANCH_HEAD, branch)
        settled = True
        for district in districts:
            settled = self._register(moves, head, UNCLAIMED, district, self._hand_over) and settled
        return settled

    def _send_originals(self, clerk: Operator, district: str) -> Any:
        return clerk.client.originals_register(self.operator_key(clerk), district or None)

    def _hand_over(self, head: Operator, district: str) -> Any:
        draft = self.call(head, head.client.register_draft, district or None)
        return head.client.hand_over(sign_register(draft, self.operator_key(head)))

    def _register(
        self, moves: Moves, desk: Operator, kind: str, district: str, act: Callable[[Operator, str], Any]
    ) -> bool:
        """One register of ``district`` drafted, signed and sent by ``desk``; False when it is to be tried again
        (refused other than by CONFLICT: nothing, or no more, to send)."""
        key = (desk.login, kind, district)
        if time.monotonic() < self._held.get(key, 0.0):
            return False
        try:
            register = self.call(desk, act, desk, district)
        except ServiceError as error:
            moves.refused.append((desk.login, kind, district, error.code))
            if error.code == "CONFLICT":  # sent meanwhile (by a person), or nothing waits any more
                log.debug("autopilot: no register to send", login=desk.login, kind=kind, district=district)
                return True
            self._held[key] = time.monotonic() + RETRY_AFTER_S
            self._report((desk.login, kind, district, error.code), "autopilot: a register refused", error, district)
            return False
        self._held.pop(key, None)
        moves.done.append((desk.login, kind, str(register.get("id"))))
        said = {"login": desk.login, "branch": register.get("branch"), "district": register.get("district")}
        said.update(register=register.get("id"), total=register.get("total"))
        if kind == ORIGINALS:
            said["slot_at"] = register.get("slot_at")
            log.info("autopilot: the register of originals sent to the provider", **said)
        else:
            log.info("autopilot: unclaimed results handed to the provider with the Annex 4 register", **said)
        return True

    # -- the loop ------------------------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> bool:
        """Pass after pass, about every ``interval`` seconds, until ``stop`` is set (True) or the provider
        refuses the demo password (False)."""
        log.info(
            "autopilot started",
            districts=len(self.districts),
            provider=self.provider_url,
            center=self.center_url or "off",
            branches=len(self.branches) if self.center_url else 0,
        )
        self._stop = stop
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
            except WrongPassword as error:
                log.error(
                    "autopilot stopped: the provider refused the demo password (set PROVIDER_DEMO_PASSWORD to the "
                    "demo staff's password, the one the provider logged at its first start)",
                    login=str(error),
                )
                return False
            except Exception:  # a bug must not stop the demo: log it, try again on the next pass
                log.exception("autopilot: a pass failed")
            stop.wait(max(0.0, self.interval - (time.monotonic() - started)))
        log.info("autopilot stopped")
        return True

    def close(self) -> None:
        for person in self.people.values():
            person.client.close()
        for desk in self.operators.values():
            desk.client.close()
        self.nca.http.close()


async def wait_ready(urls: Sequence[str], *, stop: threading.Event, timeout: float = 2.0) -> bool:
    """Until each of ``urls`` answers 200 (a service's ``/ready``); False when ``stop`` is set first."""
    pending = list(urls)
    async with httpx.AsyncClient(timeout=timeout) as http:
        while pending:
            if stop.is_set():
                return False
            try:
                if (await http.get(pending[0])).status_code == 200:
                    pending.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    return True


async def serve(pilot: Autopilot, *, ready: Sequence[str], stop: threading.Event) -> None:
    """The in-process autopilot of `python -m services`: once every one of ``ready`` answers, the loop in a
    worker thread (it speaks blocking HTTP to services this process's event loop serves), until ``stop``."""
    try:
        if await wait_ready(ready, stop=stop):
            await asyncio.to_thread(pilot.run, stop)
    finally:
        pilot.close()


def _moment(value: object) -> datetime:
    return datetime.fromisoformat(str(value))


def _due(pending: Mapping[str, Any], slot: object) -> bool:
    """A waiting application goes with the register of ``slot``: it was due by then (accepted before it)."""
    return isinstance(pending.get("due_at"), str) and _moment(pending["due_at"]) <= _moment(slot)


def ready_urls(*base_urls: str) -> list[str]:
    return [f"{url.rstrip('/')}/ready" for url in base_urls]


def summary(moves: Moves) -> Mapping[int | str, int]:
    """Moves by step, and the Center's registers by kind (for a log line, a test)."""
    counts: dict[int | str, int] = defaultdict(int)
    for _, step, _ in moves.done:
        counts[step] += 1
    return dict(counts)
