"""What the conformance report states, built from a plan: one structure, rendered four ways."""

from __future__ import annotations

from dataclasses import dataclass

from deidentify.method import TOOL_NAME, TOOL_VERSION
from deidentify.plan import Plan, PlanRow
from deidentify.profile import CompoundPolicy
from deidentify.report.behaviour import behaviour_of, resolved
from deidentify.report.beyond import BeyondRow, beyond_rows, general_rules
from deidentify.report.limits import limitations
from deidentify.uids import UIDScheme
from generated.model import BASIC_PROFILE_CODE, CodedConcept, Option


@dataclass(frozen=True)
class ReportRow:
    """One row of Table E.1-1 as the report shows it."""

    tag: str
    name: str
    retired: bool | None
    basic: str
    effective: str
    source: str
    treatment: str
    behaviour: str
    options: tuple[tuple[str, str], ...]
    conflict: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Report:
    """A conformance statement for one profile under one edition."""

    tool: str
    version: str
    edition: str
    source_url: str
    sha256: str
    profile: str
    profile_code: CodedConcept
    options: tuple[tuple[str, CodedConcept], ...]
    policy: str
    policy_description: str
    uid_scheme: str
    rows: tuple[ReportRow, ...]
    merged_duplicates: tuple[tuple[str, str], ...]
    limitations: tuple[str, ...]
    unknown: str = "remove"
    beyond_rules: tuple[str, ...] = ()
    beyond: tuple[BeyondRow, ...] = ()

    @property
    def conflicts(self) -> tuple[ReportRow, ...]:
        """The rows where active options gave different codes."""
        return tuple(row for row in self.rows if row.conflict)


def _row(row: PlanRow, policy: CompoundPolicy, scheme: UIDScheme) -> ReportRow:
    rule = row.rule
    treatment, _ = resolved(row, policy)
    return ReportRow(
        tag=rule.tag.text,
        name=rule.name,
        retired=rule.retired,
        basic=rule.basic.value,
        effective=row.effective.value,
        source=row.source,
        treatment=treatment.value,
        behaviour=behaviour_of(row, policy, scheme),
        options=tuple((option.value, code.value) for option, code in rule.options),
        conflict=tuple((option.value, code.value) for option, code in row.conflict),
    )


def build_report(plan: Plan, scheme: UIDScheme = UIDScheme.KEYED) -> Report:
    """The report of a plan; ``scheme`` is the UID scheme the run uses."""
    edition = plan.edition
    active = tuple(option for option in Option if plan.has(option))
    return Report(
        tool=TOOL_NAME,
        version=TOOL_VERSION,
        edition=edition.edition,
        source_url=edition.source_url,
        sha256=edition.sha256,
        profile=plan.profile.uri,
        profile_code=BASIC_PROFILE_CODE,
        options=tuple((option.value, option.code) for option in active),
        policy=plan.policy.value,
        policy_description=plan.policy.description,
        uid_scheme=scheme.value,
        rows=tuple(_row(row, plan.policy, scheme) for row in plan.rows()),
        merged_duplicates=tuple((merged.tag, "; ".join(merged.conflicts) or "same codes")
                                for merged in edition.merged_duplicates),
        limitations=limitations(plan),
        unknown=plan.unknown.value,
        beyond_rules=general_rules(plan),
        beyond=beyond_rows(plan),
    )
