"""A quality gate for pipelines: verify a staged dataset, publish it only if it passed, fail closed.

    from dq import Check, CheckLevel
    from dq.gate import Gate, move_into_place

    gate = Gate([Check(CheckLevel.ERROR, "orders").is_complete("id").is_unique("id")],
                report="reports/orders.json")
    result = gate.run("staging/orders.parquet", publish=move_into_place("staging/orders.parquet",
                                                                         "published/orders.parquet"))
    result.raise_for_status()   # GateError unless the dataset was published

The decision, in order (``GateResult.decision`` records which step ended it):

0. **preflight** (optional): callables that look at the data before any query (its file layout,
   its Parquet footers) and return the problems they found; any problem means *not published*
   ("failed preflight"), and so does an exception ("verification error"). Dataset packs
   (``dq.packs``) use them for what no metric expresses, such as files outside the partition layout.
1. **verify**: the checks run as one ``VerificationSuite`` (metrics saved to ``repository`` under
   ``result_key`` when given, whatever the verdict: a failed delivery belongs in the history).
   Any exception (unreadable data, a broken predicate, the engine failing) means *not published*.
2. **decide**: the verdict blocks publishing when it is ``Error`` (an Error-level check failed;
   a constraint on a missing column fails too), or also ``Warning`` with ``fail_on="warning"``.
3. **publish**: only then is ``publish`` called (any callable: a rename, a table swap, an S3 copy,
   a catalog update). An exception there means *not published* as well.

``run`` does not raise for any of these: it returns a ``GateResult`` saying what happened and why,
and ``raise_for_status`` turns "not published" into a ``GateError`` for pipelines that prefer an
exception. Mistakes in the gate's own configuration (no checks, an unknown ``fail_on``) are errors
at construction, before any data is read. ``KeyboardInterrupt`` and other ``BaseException``\\ s
propagate, and publishing has then not happened either. The optional JSON ``report`` (written
atomically, also when the gate failed) holds the decision and the full verification result.

``move_into_place`` is the publishing step for local files and folders: an atomic rename, with a
folder already at the target swapped out and removed only after the new one is in place.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dq._files import write_atomic
from dq.checks.check import Check, CheckStatus
from dq.errors import DQError, InvalidOptionError

__all__ = ["Gate", "GateError", "GateResult", "move_into_place", "GATE_REPORT_SCHEMA"]

#: the ``schema`` field of a gate report; its ``verification`` field follows ``VerificationResult.to_json``
GATE_REPORT_SCHEMA = "dq.gate/1"

_FAIL_ON = {"error": (CheckStatus.ERROR,), "warning": (CheckStatus.ERROR, CheckStatus.WARNING)}


class GateError(DQError):
    """A gate did not publish its dataset (``GateResult.raise_for_status``)."""

    def __init__(self, result: GateResult):
        self.result = result
        super().__init__(f"not published: {result.reason}")


@dataclass
class GateResult:
    """What a gate run did. ``decision`` is the step that ended it: "published", "failed preflight"
    (``problems`` lists what the preflight checks found), "failed checks" (the verdict blocked it;
    ``failed_constraints``), "verification error" or "publish error" (an exception, in ``error``)."""

    published: bool
    decision: str
    reason: str
    status: CheckStatus | None = None
    verification: Any = None
    error: BaseException | None = None
    seconds: float = 0.0
    report_path: str | None = None
    failed_constraints: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def raise_for_status(self) -> GateResult:
        """This result if the dataset was published, else a ``GateError`` (its cause the error)."""
        if not self.published:
            raise GateError(self) from self.error
        return self

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": GATE_REPORT_SCHEMA,
            "published": self.published,
            "decision": self.decision,
            "reason": self.reason,
            "status": None if self.status is None else self.status.value,
            "failed_constraints": self.failed_constraints,
            "problems": self.problems,
            "seconds": round(self.seconds, 6),
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        if self.error is not None:
            out["error"] = {"type": type(self.error).__name__, "message": str(self.error),
                            "traceback": "".join(traceback.format_exception(self.error)).rstrip()}
        out["verification"] = None if self.verification is None else self.verification.to_dict()
        return out

    def __str__(self) -> str:
        head = f"{'PUBLISHED' if self.published else 'NOT PUBLISHED'} ({self.decision}): {self.reason}"
        if self.problems:
            head += "\n" + "\n".join(f"  - {p}" for p in self.problems)
        return head if self.verification is None else f"{head}\n\n{self.verification.render()}"


class Gate:
    """Checks a staged dataset must pass before it is published (see the module docstring).

    ``checks``: Checks (at least one constraint in all), or paths of YAML checks files.
    ``fail_on``: "error" (default; Warning-level failures are reported, not blocking) or "warning".
    ``repository`` / ``result_key``: save the run's metrics, as ``VerificationSuite`` does.
    ``report``: a path to write the JSON report to, after every run.
    ``connection``: the DuckDB connection to read data through (as ``VerificationSuite.on_data``).
    ``preflight``: callables ``f(data) -> list[str]`` run first; any problem they return blocks.
    """

    def __init__(self, checks: Iterable[Check | str | os.PathLike[str]], *, fail_on: str = "error",
                 repository: Any = None, result_key: Any = None, report: str | os.PathLike[str] | None = None,
                 connection: Any = None, preflight: Iterable[Callable[[Any], Iterable[str]]] = ()):
        from dq.checks import load

        if isinstance(checks, (Check, str, os.PathLike)):
            checks = [checks]
        loaded: list[Check] = []
        for c in checks:
            if isinstance(c, Check):
                loaded.append(c)
            elif isinstance(c, (str, os.PathLike)):
                loaded.extend(load(c))
            else:
                raise InvalidOptionError("checks", "Checks or paths of YAML checks files", c, owner="Gate")
        if not any(c.constraints for c in loaded):
            # a gate that checks nothing would publish anything
            raise InvalidOptionError("checks", "at least one constraint", "no constraint in "
                                     f"{len(loaded)} check(s)", owner="Gate")
        if fail_on not in _FAIL_ON:
            raise InvalidOptionError("fail_on", " or ".join(repr(k) for k in _FAIL_ON), fail_on, owner="Gate")
        if result_key is not None and repository is None:
            raise InvalidOptionError("repository", "a metrics repository when result_key is given", None,
                                     owner="Gate")
        self.preflight = list(preflight)
        for f in self.preflight:
            if not callable(f):
                raise InvalidOptionError("preflight", "callables taking the data and returning problems", f,
                                         owner="Gate")
        self.checks = loaded
        self.fail_on = fail_on
        self.repository = repository
        self.result_key = result_key
        self.report = None if report is None else os.fspath(report)
        self.connection = connection

    def verify(self, data: Any) -> Any:
        """Run the checks on ``data`` (no publishing): the ``VerificationResult``."""
        from dq.verification import VerificationSuite

        builder = VerificationSuite().on_data(data, connection=self.connection).add_checks(self.checks)
        if self.repository is not None:
            builder = builder.use_repository(self.repository)
            if self.result_key is not None:
                builder = builder.save_or_append_result(self.result_key)
        return builder.run()

    def run(self, data: Any, publish: Callable[[], Any] | None = None) -> GateResult:
        """Verify ``data`` and, if it passed, call ``publish()``. Never raises for a failure of the
        data, the checks' evaluation or the publishing: the result says what happened."""
        if publish is not None and not callable(publish):
            raise InvalidOptionError("publish", "a callable taking no arguments", publish, owner="Gate.run")
        start = time.perf_counter()
        try:
            problems = [str(p) for f in self.preflight for p in f(data)]
        except Exception as e:
            result = GateResult(False, "verification error", f"a preflight check could not run: {_one_line(e)}",
                                error=e)
            return self._finish(result, start)
        if problems:
            reason = f"{len(problems)} preflight problem(s), the first: {problems[0]}"
            return self._finish(GateResult(False, "failed preflight", reason, problems=problems), start)
        try:
            verification = self.verify(data)
        except Exception as e:  # fail closed: whatever went wrong, nothing is published
            result = GateResult(False, "verification error", f"the checks could not run: {_one_line(e)}", error=e)
            return self._finish(result, start)
        status = verification.status
        blocking = _FAIL_ON[self.fail_on]  # a check's status is its level when it failed
        failed = [f"{cr.check.description}: {r.constraint.name}" + (f" ({r.message})" if r.message else "")
                  for cr, r in verification.constraint_results() if not r.is_success and cr.status in blocking]
        if status in blocking:
            reason = (f"verification status {status.value}; {len(failed)} constraint(s) failed"
                      + (f", the first: {failed[0]}" if failed else ""))
            return self._finish(GateResult(False, "failed checks", reason, status, verification,
                                           failed_constraints=failed), start)
        if publish is None:
            result = GateResult(True, "published", f"verification status {status.value}; nothing to publish "
                                "but the verdict", status, verification)
            return self._finish(result, start)
        try:
            publish()
        except Exception as e:
            result = GateResult(False, "publish error", f"passed the checks, but publishing failed: {_one_line(e)}",
                                status, verification, error=e)
            return self._finish(result, start)
        return self._finish(GateResult(True, "published", f"verification status {status.value}", status,
                                       verification), start)

    def _finish(self, result: GateResult, start: float) -> GateResult:
        result.seconds = time.perf_counter() - start
        if self.report is not None:
            try:
                Path(self.report).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self.report, json.dumps(result.to_dict(), indent=2, default=str) + "\n")
                result.report_path = self.report
            except Exception as e:  # the decision stands; the report's absence is said on the result
                result.reason += f" (the report could not be written to {self.report}: {_one_line(e)})"
        return result


def _one_line(e: BaseException) -> str:
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    return f"{type(e).__name__}: {lines[0]}" if lines else type(e).__name__


def move_into_place(staged: str | os.PathLike[str], target: str | os.PathLike[str], *,
                    replace: bool = True) -> Callable[[], str]:
    """A publishing step for ``Gate.run``: rename the local file or folder ``staged`` to ``target``.

    A file replaces an existing file atomically (``os.replace``). A folder is renamed into place; a
    folder already at ``target`` is first renamed aside, and removed only once the new one is in
    place (if the second rename fails, the old folder is put back). The rename must stay on one
    file system (a staging folder next to the published one); across devices it fails, and the gate
    reports "publish error" with the dataset still staged. ``replace=False`` refuses an existing
    target instead. The returned callable checks its paths only when called."""
    src, dst = os.path.abspath(os.fspath(staged)), os.path.abspath(os.fspath(target))

    def publish() -> str:
        if not os.path.lexists(src):
            raise FileNotFoundError(f"the staged dataset {src} does not exist")
        if os.path.lexists(dst) and not replace:
            raise FileExistsError(f"{dst} exists and replace=False")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.isdir(src):
            if os.path.isdir(dst):
                raise IsADirectoryError(f"cannot replace the folder {dst} with the file {src}")
            os.replace(src, dst)
            return dst
        if not os.path.lexists(dst):
            os.rename(src, dst)
            return dst
        if not os.path.isdir(dst):
            raise NotADirectoryError(f"cannot replace the file {dst} with the folder {src}")
        aside = os.path.join(os.path.dirname(dst), f".{os.path.basename(dst)}.replaced-{uuid.uuid4().hex[:8]}")
        os.rename(dst, aside)
        try:
            os.rename(src, dst)
        except BaseException:
            os.rename(aside, dst)
            raise
        shutil.rmtree(aside, ignore_errors=True)
        return dst

    return publish
