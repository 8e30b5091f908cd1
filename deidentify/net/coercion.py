"""Coercion of DIMSE datasets by the rules: the library hook for pynetdicom event handlers.

Directions (the node between a peer in pseudonymous space and a provider in original space):

* C_STORE_RQ, C_FIND_RSP, N_CREATE_RQ, N_SET_RQ are **de-identified** by each matching rule's
  profile. UIDs the node itself issued are first put back to their originals, so that a
  dataset that already carries the node's pseudonyms maps to the same pseudonyms again
  rather than to pseudonyms of pseudonyms. Every UID replaced is remembered in the issued
  table, and so is every patient pseudonym (with the original Patient ID and issuer).
* C_FIND_RQ is **translated back** from pseudonymous to original space: kept keys are relayed
  as written, issued UIDs are replaced by their originals, shifted dates are widened to every
  original date that could have been shifted into them, and every other key the profile
  changes is relayed universal; widened and universal keys are matched afterwards on the
  coerced responses (``Query.accepts``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence

from deidentify.elements import readable_elements
from deidentify.linkage.identity import (
    KEY_SEPARATOR,
    PATIENT_ID,
    PatientIdentity,
    read_identity,
    text_of,
)
from deidentify.net.issued import IssuedUIDs
from deidentify.net.matching import matches
from deidentify.net.profiles import KeyHandling, ProfileEngine
from deidentify.net.rules import (
    AssociationInfo,
    CoercionRule,
    Dimse,
    Role,
    RulesError,
    select_rules,
)

EngineFactory = Callable[[str], ProfileEngine]
"""Builds the engine of one profile URI; raises ValueError for a URI it cannot apply."""


@dataclass
class Query:
    """A C-FIND request translated for the provider, and the filter for its responses."""

    upstream: Dataset
    filters: list[Dataset] = field(default_factory=list)

    def accepts(self, response: Dataset) -> bool:
        """Whether a coerced response matches the keys that were relayed universal."""
        return all(matches(keys, response) for keys in self.filters)


class Coercer:
    """Applies coercion rules; one engine per distinct profile URI, built at construction."""

    def __init__(
        self,
        rules: Iterable[CoercionRule],
        engine_for: EngineFactory,
        issued: IssuedUIDs | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.issued = issued if issued is not None else IssuedUIDs()
        self._engines: dict[str, ProfileEngine] = {}
        for index, rule in enumerate(self.rules):
            if rule.uri in self._engines:
                continue
            try:
                self._engines[rule.uri] = engine_for(rule.uri)
            except ValueError as error:
                raise RulesError(f"rule {index} ({rule.name!r}): uri: {error}") from None

    def applicable(
        self, dimse: Dimse, role: Role, info: AssociationInfo, sop_class_uid: str | None
    ) -> tuple[CoercionRule, ...]:
        """The rules that apply to a message, in the order they apply."""
        return select_rules(self.rules, dimse, role, info, sop_class_uid)

    def coerce(
        self,
        dataset: Dataset,
        dimse: Dimse,
        role: Role,
        association_info: AssociationInfo,
        sop_class_uid: str | None = None,
    ) -> Dataset:
        """A coerced copy of the dataset (the input is not modified).

        ``sop_class_uid`` narrows rules by SOP Class; by default the dataset's SOP Class UID.
        A C_FIND_RQ returns the translated request only; relays should use ``coerce_query``
        to also filter the responses.
        """
        if dimse is Dimse.C_FIND_RQ:
            return self.coerce_query(dataset, role, association_info, sop_class_uid).upstream
        sop_class = sop_class_uid or _sop_class(dataset)
        coerced = copy.deepcopy(dataset)
        for rule in self.applicable(dimse, role, association_info, sop_class):
            self._deidentify(coerced, self._engines[rule.uri])
        return coerced

    def coerce_query(
        self,
        identifier: Dataset,
        role: Role,
        association_info: AssociationInfo,
        sop_class_uid: str | None = None,
    ) -> Query:
        """The request keys translated back to original space, with the response filter."""
        query = Query(copy.deepcopy(identifier))
        for rule in self.applicable(Dimse.C_FIND_RQ, role, association_info, sop_class_uid):
            widened = Dataset()
            engine = _KeysAsWritten(self._engines[rule.uri], rule.keys_as_written)
            _translate(query.upstream, widened, engine, self.issued)
            if len(widened):
                query.filters.append(widened)
        return query

    def coerce_uid(
        self,
        uid: str,
        dimse: Dimse,
        role: Role,
        association_info: AssociationInfo,
        sop_class_uid: str | None = None,
    ) -> str:
        """A UID carried in a command (e.g. the MPPS SOP Instance UID), mapped by the rules."""
        for rule in self.applicable(dimse, role, association_info, sop_class_uid):
            engine = self._engines[rule.uri]
            original = self._restorer(engine, set())(uid) or uid
            uid = engine.map_uid(original)
            if uid != original:
                self.issued.record([(uid, original)])
        return uid

    def _deidentify(self, dataset: Dataset, engine: ProfileEngine) -> None:
        restored: set[str] = set()
        for element in _uid_elements(dataset):
            if engine.key_handling(element.tag, "UI") is KeyHandling.UID:
                element.value = _replace_uids(element.value, self._restorer(engine, restored))
        before = {uid for element in _uid_elements(dataset) for uid in _uids(element.value)}
        patient = self._restore_patient(dataset)
        engine.apply(dataset)
        new_id = text_of(dataset, PATIENT_ID)
        if patient.patient_id and new_id and new_id != patient.patient_id:
            self.issued.record([(new_id, patient.key)])
        after = {uid for element in _uid_elements(dataset) for uid in _uids(element.value)}
        if restored & after:
            raise CoercionError("the profile kept a UID the node had restored to its original")
        issued = ((engine.map_uid(uid), uid) for uid in before)
        self.issued.record((new, old) for new, old in issued if new != old and new in after)

    def _restore_patient(self, dataset: Dataset) -> PatientIdentity:
        """Put back the original Patient ID (and issuer) of a patient pseudonym the node
        issued, so that the patient gets its pseudonym again rather than a pseudonym of it;
        the identity of the dataset's patient."""
        original = self.issued.original(text_of(dataset, PATIENT_ID))
        if original is not None and original and not original.startswith(KEY_SEPARATOR):
            patient_id, _, issuer = original.partition(KEY_SEPARATOR)
            dataset.PatientID = patient_id
            if issuer:
                dataset.IssuerOfPatientID = issuer
        return read_identity(dataset)

    def _restorer(
        self, engine: ProfileEngine, restored: set[str]
    ) -> Callable[[str], str | None]:
        """Original of an issued UID that this profile maps back to the same pseudonym."""

        def original(uid: str) -> str | None:
            found = self.issued.original(uid)
            if found is None or engine.map_uid(found) != uid:
                return None
            restored.add(found)
            return found

        return original


class _KeysAsWritten:
    """A profile engine whose key handling keeps the rule's ``keys_as_written``."""

    def __init__(self, engine: ProfileEngine, tags: frozenset[int]) -> None:
        self._engine = engine
        self._tags = tags

    def apply(self, dataset: Dataset) -> None:
        self._engine.apply(dataset)

    def map_uid(self, uid: str) -> str:
        return self._engine.map_uid(uid)

    def key_handling(self, tag: int, vr: str) -> KeyHandling:
        if tag in self._tags and vr != "SQ":
            return KeyHandling.KEEP
        return self._engine.key_handling(tag, vr)

    def unshift(self, vr: str, value: str) -> str | None:
        return self._engine.unshift(vr, value)


class CoercionError(RuntimeError):
    """A dataset that coercion refused to produce (nothing of it is sent or stored)."""


def _sop_class(dataset: Dataset) -> str | None:
    value = dataset.get("SOPClassUID")
    return str(value) if value else None


def _translate(
    keys: Dataset, widened: Dataset, engine: ProfileEngine, issued: IssuedUIDs
) -> None:
    """Translate keys in place; copy every key the provider cannot match exactly (sent
    universal or widened) into ``widened``, to be matched on the coerced responses."""
    for element in list(keys):
        handling = engine.key_handling(element.tag, element.VR)
        if element.VR == "SQ" and handling in (KeyHandling.KEEP, KeyHandling.ITEMS):
            _translate_items(element, widened, engine, issued)
        elif handling is KeyHandling.KEEP or _is_universal(element):
            continue
        elif handling is KeyHandling.UID:
            _translate_uid(element, widened, issued)
        elif handling is KeyHandling.DATE:
            unshifted = engine.unshift(element.VR, _text(element.value))
            _widen(element, widened)
            if unshifted is not None:
                element.value = unshifted
        else:
            _widen(element, widened)


def _translate_items(
    element: DataElement, widened: Dataset, engine: ProfileEngine, issued: IssuedUIDs
) -> None:
    items_widened: list[Dataset] = []
    for item in element.value:
        item_widened = Dataset()
        _translate(item, item_widened, engine, issued)
        items_widened.append(item_widened)
    if any(len(item) for item in items_widened):
        widened.add(DataElement(element.tag, "SQ", Sequence(_all_keys(element, items_widened))))


def _all_keys(element: DataElement, items_widened: list[Dataset]) -> list[Dataset]:
    """The widened keys of each item; an item whose keys were all relayed stays universal."""
    return [item for item in items_widened if len(item)] or [Dataset()]


def _translate_uid(element: DataElement, widened: Dataset, issued: IssuedUIDs) -> None:
    uids = _uids(element.value)
    originals = [issued.original(uid) for uid in uids]
    if all(original is not None for original in originals):
        element.value = "\\".join(str(original) for original in originals)
    else:
        _widen(element, widened)


def _widen(element: DataElement, widened: Dataset) -> None:
    widened.add(copy.deepcopy(element))
    element.value = Sequence() if element.VR == "SQ" else None


def _is_universal(element: DataElement) -> bool:
    if element.VR == "SQ":
        return not element.value
    return not _text(element.value)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, MultiValue | list | tuple):
        return "\\".join(str(item) for item in value)
    return str(value).strip()


def _uids(value: object) -> list[str]:
    text = _text(value)
    return [uid.rstrip("\x00 ") for uid in text.split("\\") if uid.strip("\x00 ")]


def _replace_uids(value: object, original: Callable[[str], str | None]) -> object:
    if isinstance(value, MultiValue | list | tuple):
        return [original(str(uid)) or str(uid) for uid in value]
    if isinstance(value, str) and value:
        return "\\".join(original(uid) or uid for uid in value.split("\\"))
    return value


def _uid_elements(dataset: Dataset) -> Iterator[DataElement]:
    """Every UI element, top level and in sequence items (File Meta excluded), of those
    pydicom can decode (``readable_elements``)."""
    return (element for element in readable_elements(dataset) if element.VR == "UI")
