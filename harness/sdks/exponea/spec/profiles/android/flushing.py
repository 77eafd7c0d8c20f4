"""Flushing: passes over the stored events, the collector's answers, retries, and the flush modes.

Android research §2.4 (response handling), §2.5 (one request at a time, ascending timestamp), §7.1
(modes and triggers), §7.2 (offline). A pass gives every stored event one attempt, oldest first:
2xx deletes it; 5xx keeps it without counting a try (android#52); any other status, and a
transport failure (a synthetic 400), counts a try and deletes it at ``maxTries`` (android#53,
android#54); offline nothing is sent or counted (android#55); the body of a 200 is never read
(android#56).

What the model cannot know is whether two flush triggers with no ``settle`` between them ran as two
passes or were absorbed into one (``flushData`` is guarded by an AtomicBoolean, §2.5). So the first
attempt of an event is always expected, and a retry raises the expectation's ``copies`` range: its
minimum only when a ``settle`` separates it from the previous attempt, its maximum always. An event
dropped at ``maxTries`` therefore allows exactly that many copies, and one more is unexpected.
Collector answer rules (``respond``) are replayed in install order: the first active rule that
matches a request answers it.
"""

from __future__ import annotations

from dataclasses import replace

from harness.errors import SpecError
from harness.sdks.exponea.spec.answers import AnswerRules
from harness.sdks.exponea.spec.profiles.android.base import ModelBase
from harness.sdks.exponea.spec.profiles.android.state import Row
from harness.spec.trace import Stimulus

__all__ = ["FlushMixin"]

_MIN_PERIOD = 900.0  # WorkManager's minimum period for periodic work (android §7.1)
# A flush pass that began this long (host seconds) before a kill, with no settle between, may still
# have a request on the wire when the process dies (one request at a time, each answered by the
# collector well within it).
FLUSH_BUSY = 10.0
CUT_SLACK = 2.0  # the collector notices a connection the kill cut a little after the kill returned


class FlushMixin(ModelBase):
    def __init__(self) -> None:
        super().__init__()
        self.answers = AnswerRules()
        self.passes = 0
        self.flying: list[Row] = []  # rows attempted since the last settle (maybe on the wire at a kill)
        self.fetch_host: float | None = None  # init's background bundle GET began by then (until a settle)
        self.pass_hosts: list[float] = []  # host times of the passes begun since the last settle
        self.sdkless_sent: list[Row] = []  # rows an SDK-less pass deleted since the last settle

    # -- passes -----------------------------------------------------------------------------

    def answer_for(self, route: str) -> int:
        """The status the SDK sees: a reset or unanswered request is OkHttp's exception, which the
        interceptor turns into a synthetic 400 (android §2.2); a delayed answer is a 200."""
        answer = self.answers.answer(route, self.host_now)
        return 400 if answer.connection_error else answer.status

    def flush(self, ordered: bool = False, only: list[Row] | None = None) -> None:
        """One flush pass: every stored event gets one attempt, in ascending timestamp order.

        ``ordered``: the pass is an explicit trigger (flushData, a worker, the app closing) over a
        queue that is complete, so its requests must arrive in timestamp order (android#4): they get
        order keys ``pass * 1e6 + rank of their timestamp`` (equal timestamps, such as one event's
        copies for several projects, share a rank). Passes started by IMMEDIATE tracking may overlap
        the next insert, so they promise nothing.

        ``only``: an SDK-less pass over the rows it stored (``ModelBase.track``). Such a row it deleted
        may still be read from the database by the main pass of an ``init`` in the same process
        before the deletion (the two FlushManagerImpl instances run on their own threads), so the
        next main pass before a settle allows one more copy of it.
        """
        if self.stopped or not self.online:
            return  # android#55: offline, no request and no try
        self.passes += 1
        self.pass_hosts.append(self.host_now)
        if only is None:
            for done in self.sdkless_sent:
                if done.out_index is not None and all(q is not done for q in self.p.queue):
                    current = self.out.requests[done.out_index]
                    low, high = current.copies
                    self.out.requests[done.out_index] = replace(current, copies=(low, high + 1))
            self.sdkless_sent = []
        stored = {id(r) for r in self.p.queue}
        rows = sorted(
            [r for r in (self.p.queue if only is None else only) if id(r) in stored], key=lambda r: r.sort_key
        )
        ranks = {key: i for i, key in enumerate(sorted({r.sort_key[:2] for r in rows}))}
        for row in rows:
            key = self.passes * 1e6 + ranks[row.sort_key[:2]] if ordered and len(ranks) > 1 else None
            self.attempt(row, key)
        if only is not None:
            self.sdkless_sent += [r for r in rows if all(q is not r for q in self.p.queue)]

    def stored_during_pass(self, rows: list[Row]) -> None:
        """Rows stored in a mode that does not flush (MANUAL, PERIOD, APP_CLOSE) while a pass may still
        run (one begun since the last settle, within ``FLUSH_BUSY``): the pass re-reads the queue
        after every answer and sends the first event it has not tried yet (FlushManagerImpl.kt:86-94
        @4.10.0), so such a row goes out now or at the next pass, once. Found by harness explore:
        ``init`` (APP_CLOSE), ``flushData``, ``trackClickedPush``; ``setFlushMode PERIOD``, a click.
        Its copy is optional until a later pass attempts it (``attempt``)."""
        if not rows or not any(self.host_now - h < FLUSH_BUSY for h in self.pass_hosts):
            return
        for row in rows:
            row.early = True
            row.out_index = len(self.out.requests)
            row.last_host, row.last_certain = self.host_now, False
            self.out.requests.append(replace(row.template, copies=(0, 1)))
            self.flying.append(row)

    def attempt(self, row: Row, order_key: float | None = None) -> None:
        """One request for ``row``; a retry adds a copy to its expectation (certain after a settle)."""
        if row.early:
            # Sent by the pass that was running when it was stored, or now: once in all. A failing
            # answer to the early copy (a respond rule) would keep it for this pass: a second copy.
            row.early = False
            assert row.out_index is not None
            current = self.out.requests[row.out_index]
            # A kill that raced the early copy (requeued) may have left it sent but not deleted: twice.
            twice = self.answers.has_rules() or row.requeued
            self.out.requests[row.out_index] = replace(current, copies=(1, 2 if twice else 1))
            row.attempts += 1
            row.attempted_since_settle = True
            row.last_host, row.last_certain = self.host_now, True  # a kill may cut it: optional again
            row.certain_pending = True
            self.flying.append(row)
            self.answer_row(row)
            return
        certain = not row.attempted_since_settle and not row.ghost
        row.attempts += 1
        row.attempted_since_settle = True
        row.last_host, row.last_certain = self.host_now, certain
        row.certain_pending = row.certain_pending or certain
        self.flying.append(row)
        if row.out_index is None:
            template = row.template
            if order_key is not None:
                template = replace(template, order_key=order_key, rules=(*template.rules, "android#4"))
            row.out_index = len(self.out.requests)
            self.out.requests.append(template)
        else:
            current = self.out.requests[row.out_index]
            low, high = current.copies
            rule = "android#52" if row.tries == 0 else "android#53"
            rules = current.rules if rule in current.rules or row.requeued or row.ghost else (*current.rules, rule)
            self.out.requests[row.out_index] = replace(
                current, copies=(low + 1 if certain else low, high + 1), rules=rules
            )
        self.answer_row(row)

    def answer_row(self, row: Row) -> None:
        """The collector's answer to an attempt: 2xx deletes, 5xx keeps, anything else counts a try."""
        status = self.answer_for(row.template.route)
        if 200 <= status < 300:
            self.p.queue.remove(row)
            return
        if 500 <= status < 600:
            return
        row.tries += 1
        if row.tries >= int(self.config.get("maxTries") or 10):
            self.p.queue.remove(row)

    def on_sync_settle(self, s: Stimulus) -> None:
        for row in self.p.queue:
            row.attempted_since_settle = row.certain_pending = False
        self.flying = []  # every pass had ended: nothing is on the wire
        self.fetch_host = None
        self.pass_hosts = []
        self.sdkless_sent = []

    def interrupt_passes(self, s: Stimulus, keeps_storage: bool, cut: bool = True) -> None:
        """The process dies (a kill, a relaunch, a reinstall; ``cut``) or stopIntegration deletes the
        queue and ends the pass (``keeps_storage`` False) while a flush pass may be running.

        The SDK deletes an event from its Room queue only once the collector's 2xx answer is read
        (FlushManagerImpl, android §2.5), and the pass runs on a background thread the kill ends
        wherever it is. So each event a pass attempted shortly before the kill was either sent and
        deleted, sent but not deleted (the next launch's pass sends it again: a duplicate), cut on
        the wire, or not sent yet. The attempt's copy becomes uncertain (the minimum drops by one)
        and, when storage survives, the event is queued again, so the next pass's attempt raises
        the copies to "once or twice": it must still arrive at least once if a later pass runs, and
        at most twice. A request cut on the wire is the kill's doing (``Expectations.cut_windows``).
        A reinstall deletes the queue: what was not sent is never sent. stopIntegration sets
        ``isStopped``, whose response handler then ignores the answer and ends the pass
        (FlushManagerImpl.kt:171-173@4.10.0), and deletes the queue (Exponea.kt:1605-1607): the event
        on the wire arrives or not, the rest never does.
        """
        racing = [r for r in self.flying if s.began - r.last_host < FLUSH_BUSY and r.out_index is not None]
        self.flying = []
        self.pass_hosts = []
        self.sdkless_sent = []
        if not racing:
            return
        if cut:
            self.out.cut_windows.append((s.began, s.host_time + CUT_SLACK))
        for row in {id(r): r for r in racing}.values():  # once per row, however many attempts it had
            assert row.out_index is not None
            current = self.out.requests[row.out_index]
            low, high = current.copies
            # The attempt that raised the minimum may be any since the settle, not only the last: a
            # later uncertain attempt (a pass that re-sends what failed) does not make it sent (found
            # by harness explore: init, handleNewToken, respond reset, wait 120, trackPushToken,
            # trackDelivered..., kill: the token's pass was still failing older events at the kill).
            if row.certain_pending:
                self.out.requests[row.out_index] = replace(current, copies=(max(0, low - 1), high))
            if keeps_storage and all(q is not row for q in self.p.queue):
                row.requeued = True
                self.p.queue.append(row)
            elif keeps_storage and row.early:
                row.requeued = True  # its early copy may have been sent and not deleted (found by harness
                # explore --seed 601: init, setFlushMode PERIOD, anonymize, relaunch, init, background)
        for row in self.p.queue:
            row.attempted_since_settle = False  # a new process: its first pass is a pass of its own
            row.certain_pending = False

    def on_collector_respond(self, s: Stimulus) -> None:
        self.answers.add(s.args, s.host_time, s.label())
        self.answer_races(s)

    def answer_races(self, s: Stimulus) -> None:
        """A failing answer rule installed while a pass may still run (no settle since, within
        ``FLUSH_BUSY``) may answer a request the model already saw answered 2xx.

        The pass runs on its own thread and sends one stored event at a time, re-reading the queue
        after every answer (FlushManagerImpl.kt:70-114@4.10.0); only a 2xx deletes the event
        (``onEventSentSuccess``, :222-227), anything else keeps it for the next pass (:180-184,
        :229-239). So an event the model sent before the rule (found by harness explore: ``init``,
        ``respond 402``, ``handleNewToken``: session_start sent three times) may have got the rule's
        answer instead and still be stored: it becomes a ghost, every later attempt of which is
        optional. Its first copy stays certain (the request was sent). Each pass begun since the
        settle may have been the one that read it after the rule, so each adds one optional copy.
        """
        action = str(s.args.get("action", "answer"))
        status = int(s.args.get("status", 200))
        if action in ("delay",) or (action == "answer" and 200 <= status < 300):
            return
        route = {"campaigns": "campaign_clicks"}.get(str(s.args.get("route", "any")), str(s.args.get("route", "any")))
        busy = sum(1 for h in self.pass_hosts if s.began - h < FLUSH_BUSY)
        racing = [r for r in self.flying if s.began - r.last_host < FLUSH_BUSY and r.out_index is not None]
        for row in {id(r): r for r in racing}.values():
            if (route != "any" and row.template.route != route) or any(q is row for q in self.p.queue):
                continue
            assert row.out_index is not None
            current = self.out.requests[row.out_index]
            low, high = current.copies
            self.out.requests[row.out_index] = replace(current, copies=(low, high + max(0, busy - 1)))
            row.ghost = True
            if not (action == "answer" and 500 <= status < 600):
                row.tries += 1
            if row.tries < int(self.config.get("maxTries") or 10):
                self.p.queue.append(row)

    # -- calls ------------------------------------------------------------------------------

    def on_call_flushData(self, s: Stimulus) -> None:
        if self.gate(s):
            self.flush(ordered=True)

    def on_call_setFlushMode(self, s: Stimulus) -> None:
        mode = str(s.args.get("mode"))
        if mode not in ("IMMEDIATE", "MANUAL", "PERIOD", "APP_CLOSE"):
            raise SpecError(f"{s.label()}: unknown flush mode {mode!r}")
        self.set_flush_mode(mode)

    def on_call_setFlushPeriod(self, s: Stimulus) -> None:
        self.flush_period = float(s.args["seconds"])
        if self.initialized and self.flush_mode == "PERIOD":
            self.start_periodic()

    def set_flush_mode(self, mode: str) -> None:
        self.flush_mode = mode
        if not self.initialized:
            return  # onFlushModeChanged runs only once initialized (android §1.3)
        if mode == "PERIOD":
            self.start_periodic()
        # IMMEDIATE only stops the periodic job (onFlushModeChanged, Exponea.kt:959-967@4.10.0): what is
        # queued waits for the next tracked event (found by harness explore: relaunch, init, an event
        # held from the killed process sent twice by a flush the profile and the virtual SDK invented)

    def start_periodic(self) -> None:
        self.p.periodic_due = self.now + max(self.flush_period, _MIN_PERIOD)

    # -- app close and timers ---------------------------------------------------------------

    def flush_on_app_close(self) -> None:
        """The last activity paused: PERIOD/APP_CLOSE switch to APP_CLOSE and flush (android#59)."""
        if self.initialized and self.flush_mode in ("PERIOD", "APP_CLOSE"):
            self.flush_mode = "APP_CLOSE"
            self.flush(ordered=True)

    def resume_period(self) -> None:
        if self.initialized and self.flush_mode == "APP_CLOSE":
            self.flush_mode = "PERIOD"
            self.start_periodic()

    def run_periodic(self, due: float) -> None:
        self.p.periodic_due = due + max(self.flush_period, _MIN_PERIOD)
        if self.initialized and self.flush_mode == "PERIOD" and self.online:
            self.flush(ordered=True)

    def run_session_worker(self, due: float) -> None:
        raise NotImplementedError

    def run_due_timers(self, until: float) -> None:
        """Fire the WorkManager jobs due up to ``until``, in time order (both need a network)."""
        while True:
            timers: list[tuple[float, str]] = []
            if self.p.worker_due is not None and self.p.worker_due <= until and self.online:
                timers.append((self.p.worker_due, "session"))
            if self.p.periodic_due is not None and self.p.periodic_due <= until:
                timers.append((self.p.periodic_due, "periodic"))
            if not timers:
                return
            due, which = min(timers)
            saved = self.now
            self.now = max(due, saved)
            if which == "session":
                self.run_session_worker(due)
            else:
                self.run_periodic(due)
            self.now = saved

    def on_env_advance_clock(self, s: Stimulus) -> None:
        self.run_due_timers(s.device_time + float(s.args.get("seconds", 0)))

    def on_env_set_network(self, s: Stimulus) -> None:
        self.online = bool(s.args.get("online"))
        if not self.online:
            # The connection drops under a pass that may still run: the request on the wire fails
            # (OkHttp's IOException, handleFailure, FlushManagerImpl.kt:144-164@4.10.0) or had got
            # through, and the pass stops at the next event (offline). Each event the pass had begun
            # is uncertain and stays queued, as at a kill (found by harness explore: init, offline).
            self.interrupt_passes(s, keeps_storage=True, cut=True)
        if self.online:
            # A job held back by its CONNECTED constraint runs now, stamped with this time.
            if self.p.worker_due is not None and self.p.worker_due < s.device_time:
                self.p.worker_due = s.device_time
            self.run_due_timers(s.device_time)

    def gate(self, s: Stimulus) -> bool:
        raise NotImplementedError
