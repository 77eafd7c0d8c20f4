"""Flushing: one POST per stored row, the collector's answers, retries, and the flush modes.

iOS research §7 (FlushingManager: customers then events, all started at once), §2.4 (answers):
4xx (but 402, which the SDK's status switch counts as success) and decodable-JSON 5xx cost one of
``maxTries`` (5) attempts, a 5xx with another body and connection errors cost nothing, stream
401/403 are re-sent once. Collector answer rules (``respond``) are replayed in install order.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from harness.errors import SpecError
from harness.sdks.exponea.spec.answers import Answer, AnswerRules
from harness.sdks.exponea.spec.profiles.ios.base import ModelBase
from harness.sdks.exponea.spec.profiles.ios.state import (
    CUT_SLACK,
    FLUSH_BUSY,
    FLUSH_DELAY,
    FLUSH_OVERLAP,
    FLUSH_RACE,
    Customer,
    Row,
    is_number,
)
from harness.spec.expectation import Expected
from harness.spec.matchers import Absent, Approx, OneOf
from harness.spec.trace import Stimulus

__all__ = ["FlushMixin"]

_HEADERS = {"content-type": "application/json", "accept": "application/json"}
_BASE_RULES = ("ios#4", "ios#14", "ios#39", "ios#78")
_MODES = {"IMMEDIATE", "MANUAL", "PERIOD", "APP_CLOSE"}


class FlushMixin(ModelBase):
    def flush(self) -> None:
        """FlushingManager.flushData: customers then events, one request each (ios §7).

        A flush that starts while one that sent rows may still run (begun less than FLUSH_OVERLAP
        ago, no settle since) may be refused (``.flushAlreadyInProgress``, FlushingManager.swift:
        99-105@4.0.1): in .immediate mode every tracking call asks for its own flush 3 s later
        (TrackingManager.swift:270-275, FlushingManager.swift:80-85), so the rows ``configure``
        stores fire two or three flushes at once. The SDK clears ``isFlushingData`` only when every
        row's answer was read (:138-141, 218-231 ``group.notify``), so which of them run depends on
        the network: a row the collector kept is sent again once per flush that ran. Its re-send
        by such a flush is optional (:meth:`send`). A row the running flush did not send (stored
        since) is not lost: if this flush is refused, the next flush that runs sends it (in
        .immediate mode its own delayed flush, which no flush begun before the row was stored can
        still block: FLUSH_OVERLAP < FLUSH_DELAY). So this send is optional and "owed": the row's
        next send merges with it (:meth:`again_or_new`) into one required expectation, "exactly
        once" when this answer deletes the row (``or``: the two sends are alternatives), "once or
        twice" when it keeps it (``and``). With no later flush it stays optional, as in the SDK.
        """
        if self.p.stopped or not self.configured:
            return
        if not self.online:
            for row in self.p.queue:  # no connection: nothing sent, retries unchanged (ios#69)
                row.held = tuple(sorted({*row.held, "ios#69"}))
            return
        self.running = [r for r in self.running if self.now - r[0] < FLUSH_OVERLAP]
        racing = [row for _, sent in self.running for row in sent]
        maybe_refused = bool(self.running)
        rows = sorted(self.p.queue, key=lambda r: (r.route != "customers", _ts(r.timestamp)))
        sent: list[Row] = []
        tries: list[tuple[Row, bool, list[Answer], int]] = []
        for row in rows:
            ids = self.customer_ids(row.customer)
            if row.project.stream and row.route == "customers" and not row.properties and len(ids) == 1:
                self.p.queue.remove(row)  # cookie-only empty update: deleted unsent (ios#29)
                continue
            if any(r is row for r in racing):
                tries.append((row, *self.send(row, ids, optional=True)))
            elif maybe_refused:
                owed = "or" if self.surely_deleted(row) else "and"
                tries.append((row, *self.send(row, ids, optional=True, owed=owed)))
            else:
                tries.append((row, *self.send(row, ids)))
            sent.append(row)
        # All of a flush's requests start at once (FlushingManager.swift:207-216@4.0.1): which of them a
        # collector rule that answers only some (``times``, ``nth``) catches depends on arrival, so each
        # row of a route may get any answer the flush's requests of that route got.
        pool: dict[str, list[Answer]] = {}
        for row, _, answers, _ in tries:
            pool.setdefault(row.route, [])
            pool[row.route] += [a for a in answers if a not in pool[row.route]]
        for row, optional, answers, index in tries:
            again = row.project.stream and not any(a.status in (401, 403) for a in answers)
            if again and any(a.status in (401, 403) for a in pool[row.route]):
                # another row's 401 may have been this one's: then it was re-sent once (ios#73)
                more = self.attempt(row, self.customer_ids(row.customer), ("ios#73",), optional=True)
                pool[row.route] += [a for a in more if a not in pool[row.route]]
            certain = len(answers) == 1 == len(pool[row.route])
            self.settle_row(row, pool[row.route], optional, index if certain else None)
        if sent:
            self.running.append((self.now, sent))

    def race_ids(self, customer: Customer) -> None:
        """A flush reads a row's ids as it builds each request, all in one loop: an identify that
        lands while a flush only just started may reach the rows built after it. Such rows may
        carry the ids from before or after it (a real race in the SDK, not a tolerance)."""
        self.in_flight = [f for f in self.in_flight if self.now - f[0] <= FLUSH_RACE]
        for _, owner, body in self.in_flight:
            if owner is customer and not isinstance(body["customer_ids"], OneOf):
                body["customer_ids"] = OneOf((body["customer_ids"], self.customer_ids(customer)))

    def customer_ids(self, customer: Customer) -> dict[str, Any]:
        return {"cookie": self.cookie(customer), **customer.ids}

    def surely_deleted(self, row: Row) -> bool:
        """Whether every answer the collector may give the row's next attempt deletes it."""
        for rules in (self.answers, *self.answer_alts):
            answer = rules.copy().answer(row.route, self.fired_host or self.done_host or 0.0)
            if answer.connection_error or (answer.status >= 500 and not _error_body(answer.body)):
                return False
            if not (answer.status < 400 or answer.status in self.gates.success_4xx):
                if row.project.stream and answer.status in (401, 403):
                    return False  # re-sent once: two answers
                if any(r + 1 < self.cfg().max_tries for r in (row.retries, *row.more_retries)):
                    return False
        return True

    def send(
        self, row: Row, ids: dict[str, Any], optional: bool = False, owed: str = ""
    ) -> tuple[bool, list[Answer], int]:
        """One row's attempt and what the answer does to it (ios#67, #68, #69, #73).

        ``optional``: the flush may have been refused (see :meth:`flush`); a row that may already
        be deleted is optional too. Then the row keeps every state it may be in: each possible
        retry count, and whether it may be gone; the collector's rules each possible count of
        answered requests (:meth:`take_answers`).
        """
        optional = optional or row.maybe_gone
        answers = self.attempt(row, ids, optional=optional, owed=owed)
        if row.project.stream and any(a.status in (401, 403) for a in answers):
            # re-sent once, 1 s later (ios#73); an owed first send stays what the next flush stands for
            owed_as, kind = row.sent_as if row.owed else None, row.owed
            row.sent_as, row.owed = None, ""
            again = self.attempt(row, ids, ("ios#73",), optional=optional or len(answers) > 1)
            if owed_as is not None:
                row.sent_as, row.owed = owed_as, kind
            answers = [*(a for a in answers if a.status not in (401, 403)), *again]
        return optional, answers, len(self.out.requests) - 1 if self.last_index is None else self.last_index

    def settle_row(self, row: Row, answers: list[Answer], optional: bool, index: int | None) -> None:
        """What the possible answers of one attempt do to the row: its possible states (see :meth:`send`).

        ``index``: the expectation of the row's attempt when its one answer is certain (else None)."""
        kept = [a for a in answers if a.connection_error or (a.status >= 500 and not _error_body(a.body))]
        if kept:
            held = {"ios#69" if a.connection_error else "ios#68" for a in kept}
            row.held = tuple(sorted({*row.held, *held}))
        before = {row.retries, *row.more_retries}
        after: set[int] = set(before) if optional else set()
        gone = row.maybe_gone
        for answer in answers:
            if answer in kept:
                after |= before  # kept, retries unchanged (ios#68, #69)
            elif answer.status < 400 or answer.status in self.gates.success_4xx:
                # RequestFactory.process (4.0.1, ExponeaSDKShared/Classes/Repository/RequestFactory.swift:380-427)
                # switches on 401, 403, 410, ``400, 404, 405..<410, 411..<500`` and ``500...``; 402 falls
                # into ``default: resultAction(.success(data))``, so the row counts as sent. 3.11.0
                # (:201-221) has ``400, 405..<500``, 401, 404, ``500...``: 403 falls there too (D3).
                gone = True
                if answer.status >= 400 and index is not None and not optional:
                    # The one copy this expectation allows is what checks that this 4xx is not retried.
                    last = self.out.requests[index]
                    self.out.requests[index] = replace(last, rules=(*last.rules, "ios#67"))
            else:
                for retries in before:  # dropped after maxTries attempts (ios#67)
                    if retries + 1 >= self.cfg().max_tries:
                        gone = True
                    else:
                        after.add(retries + 1)
        if not after:
            self.p.queue.remove(row)
            return
        row.retries = min(after)
        row.more_retries = frozenset(after - {row.retries})
        row.maybe_gone = gone

    def take_answers(self, route: str, host_time: float, optional: bool) -> list[Answer]:
        """The answers the collector may give this attempt, consuming them in every possible rule state.

        A request the SDK may not have sent leaves each state both as it was and as it would be
        after the request; states with equal counts are one (the rules answer alike).
        """
        states: list[AnswerRules] = []
        answers: list[Answer] = []
        for rules in (self.answers, *self.answer_alts):
            if optional:
                states.append(rules.copy())
            answer = rules.answer(route, host_time)
            if answer not in answers:
                answers.append(answer)
            states.append(rules)
        unique: dict[tuple[tuple[int, int], ...], AnswerRules] = {}
        for rules in states:
            unique.setdefault(rules.counts(), rules)
        first, *rest = unique.values()
        self.answers, self.answer_alts = first, rest
        return answers

    def attempt(
        self,
        row: Row,
        ids: dict[str, Any],
        extra: tuple[str, ...] = (),
        optional: bool = False,
        owed: str = "",
    ) -> list[Answer]:
        body: dict[str, Any] = {"customer_ids": ids, "timestamp": row.timestamp}
        self.in_flight.append((self.now, row.customer, body))
        if row.route == "campaign_clicks":
            body.update(url=row.url, properties={"platform": "ios"}, event_type="campaign_click")
        else:
            body["properties"] = row.properties
            if row.route == "events":
                body["event_type"] = row.event_type if row.event_type is not None else Absent()
        cfg = self.cfg()
        auth = None if cfg.main.stream else cfg.authorization  # the current main project's (4.0.x)
        if self.gates.authorization_per_row and row.authorization is not None:
            auth = row.authorization  # the row's own; .none falls back to the current one (D4)
        rules = (*row.rules, *_BASE_RULES, *extra)
        if row.retries:
            rules = (*rules, "ios#67")
        if self.fired_host is not None:
            rules = (*rules, "ios#3")
        rules = (*rules, *row.held)
        if row.sent_as is not None:
            rules = tuple(r for r in rules if r != "ios#67")  # sent again after a kill: no retry
        if row.project.stream:
            rules = (*rules, "ios#72") + (("ios#29",) if row.event_type == "notification_state" else ())
        elif auth is None:
            rules = (*rules, "ios#74")
        elif auth.startswith("Bearer "):
            rules = (*rules, "ios#5")
        if row.project.base_url.endswith("/"):
            rules = (*rules, "ios#6")
        expected = Expected(
            route=row.route,
            project_token="" if row.project.stream else row.project.token,
            stream_id=row.project.token if row.project.stream else None,
            authorization=auth,
            body=body,
            cause=row.cause,
            rules=rules,
            label=row.label,
            headers=dict(_HEADERS),
            not_before=None if self.fired_host is None else self.fired_host - 0.05,
        )
        was_owed = row.owed
        index = self.again_or_new(row, expected)
        self.last_index = index
        if optional and not was_owed:  # an owed send is required, whichever flush makes it
            current = self.out.requests[index]
            self.out.requests[index] = replace(current, copies=(max(0, current.copies[0] - 1), current.copies[1]))
        row.owed = owed
        if owed:
            row.sent_as = index  # the next send merges with this one (again_or_new)
        return self.take_answers(row.route, self.fired_host or self.done_host or 0.0, optional)

    def again_or_new(self, row: Row, expected: Expected) -> int:
        """Record the attempt's expectation. A row a racing kill put back (:meth:`interrupt_flush`) that
        goes out with the same body is the same request: its expectation becomes "once or twice" (the
        first send arrived, or was cut, or never left; and if it arrived its answer may not have been
        read). A body that changed meanwhile (new ids) gets an optional expectation of its own. A row
        whose last send a possibly refused flush owes (:meth:`flush`) merges the same way: "once or
        twice", or "exactly once" when the owed send would have deleted it; with a new body this
        send stays required (the owed one may not have happened)."""
        old = None if row.sent_as is None else self.out.requests[row.sent_as]
        if old is not None and row.sent_as is not None and old.body == expected.body:
            extra = 0 if row.owed == "or" else 1  # "or": the owed send and this one are alternatives
            self.out.requests[row.sent_as] = replace(old, copies=(1, max(old.copies[1], 1) + extra))
            index = row.sent_as
        else:
            if old is not None and not row.owed:
                expected = replace(expected, copies=(0, 1))
            index = len(self.out.requests)
            self.out.requests.append(expected)
        row.sent_as = None
        self.flying.append((row, index, self.host_now))
        return index

    def interrupt_flush(self, s: Stimulus, keeps_storage: bool) -> None:
        """The process dies (a kill, a relaunch, a reinstall) while a flush may be running.

        FlushingManager starts every row's request at once and deletes a row only when its answer
        comes back (FlushingManager.swift:149-230@4.0.1, ``flushTrackingObjects``); a kill ends that
        anywhere. So a row a flush sent shortly before the kill (no settle since) was sent and deleted,
        sent but kept (the next flush sends it again), cut on the wire, or never left: its request
        becomes optional, and when storage survives the row is queued again, so a later flush's send
        makes it "once or twice". A request the kill cut is the kill's doing
        (``Expectations.cut_windows``). A reinstall deletes the rows: what did not leave never does.
        """
        racing = [(row, index) for row, index, host in self.flying if s.began - host < FLUSH_BUSY]
        self.flying = []
        if not racing:
            return
        self.out.cut_windows.append((s.began, s.host_time + CUT_SLACK))
        for row, index in racing:
            current = self.out.requests[index]
            self.out.requests[index] = replace(current, copies=(0, max(current.copies[1], 1)))
            if keeps_storage and not row.deleted:  # a row stopIntegration deleted stays deleted
                row.sent_as, row.owed = index, ""  # the kill's "once or twice" replaces any owed send
                if all(q is not row for q in self.p.queue):
                    self.p.queue.append(row)

    def flush_running(self, s: Stimulus) -> bool:
        """Whether a flush begun before ``s`` (no settle since) may still be running."""
        return any(s.began - host < FLUSH_BUSY for _, _, host in self.flying)

    def fire(self, kind: str) -> None:
        if kind == "flush":
            self.flush()
        elif kind == "periodic":
            self.flush()
            if self.flush_mode == "PERIOD" and self.foreground:
                self.schedule(self.now + self.flush_period, "periodic")
        elif kind == "background":
            self.background_work()

    def settle(self) -> None:
        """A settle waits out the 3 s flush delay (the virtual device jumps its clock to it).

        The pending flush timers fire even if the trace's clock reading says they are a few
        milliseconds short: a call's ``device_time`` is read when it returns, after the SDK had
        scheduled the flush, so the model's due time is slightly late (found by retry-server-error).
        """
        horizon = self.now + FLUSH_DELAY + 0.5
        soon = sorted(t for t in self.timers if t[2] == "flush" and t[0] <= horizon)
        if not soon:
            return
        self.timers = [t for t in self.timers if t not in soon]
        heapq.heapify(self.timers)  # longer timers (work item, periodic) are not waited for
        for due, _, kind in soon:
            self.now = max(self.now, due)
            self.fired_host = self.done_host if self.done_host is not None else 0.0
            try:
                self.fire(kind)
            finally:
                self.fired_host = None

    def on_sync_settle(self, s: Stimulus) -> None:
        self.settle()
        self.flying = []  # the settle waited until no flush was running
        self.running = []

    def set_mode(self, mode: str) -> None:
        if mode not in _MODES:
            raise SpecError(f"flush mode {mode!r} is not one of {', '.join(sorted(_MODES))}")
        self.flush_mode = mode
        self.cancel("periodic")
        if mode == "IMMEDIATE" and self.configured:
            self.schedule(self.now + FLUSH_DELAY, "flush")
        if mode == "PERIOD" and self.foreground:
            self.start_periodic()

    def start_periodic(self) -> None:
        if self.flush_mode == "PERIOD" and not any(t[2] == "periodic" for t in self.timers):
            self.schedule(self.now + self.flush_period, "periodic")

    def on_call_setFlushMode(self, s: Stimulus) -> None:
        self.set_mode(str(s.args.get("mode")))

    def on_call_setFlushPeriod(self, s: Stimulus) -> None:
        self.flush_period = float(s.args["seconds"])
        self.set_mode("PERIOD")

    def on_call_flushData(self, s: Stimulus) -> None:
        self.flush()


def _ts(value: Any) -> float:
    return value.value if isinstance(value, Approx) else float(value) if is_number(value) else 0.0


def _error_body(body: Any) -> bool:
    """Whether a 5xx body decodes as MultipleErrorResponse ``{"errors":[…],"success":bool}``."""
    return (
        isinstance(body, Mapping)
        and isinstance(body.get("errors"), list)
        and isinstance(body.get("success"), bool)
        and all(isinstance(e, Mapping) for e in body["errors"])
    )
