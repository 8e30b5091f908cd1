"""The DICOM node: a Storage SCP that stores only de-identified objects (and may forward them),
a Modality Worklist C-FIND relay and an MPPS relay, each coerced by the rules.

Received objects are held in memory (pynetdicom's chunked receive to disk stays off), coerced,
and only then stored (``storage``): never over an object already stored. A message that no
de-identifying rule applies to is refused rather than passed on in clear; a deflated one that
would inflate past the bound is refused before it is inflated. Which connections are held,
and for how long, is ``admission``'s; every refused or closed connection and every rejected
association is logged with its reason.
"""

from __future__ import annotations

import copy
import io
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset
from pydicom.uid import generate_uid
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, _config, evt
from pynetdicom.association import Association
from pynetdicom.presentation import AllStoragePresentationContexts

from deidentify.inflation import InflationRefused, check_stream
from deidentify.linkage.hook import Linkage
from deidentify.linkage.identity import ISSUER_OF_PATIENT_ID, PATIENT_ID
from deidentify.linkage.journal import Journal, write_linkage_files
from deidentify.net.admission import Admission, apply_timeouts, start_guarded_server
from deidentify.net.coercion import Coercer, CoercionError, Query
from deidentify.net.config import NodeConfig, Remote, TLSConfig
from deidentify.net.forward import Forwarder
from deidentify.net.logs import LOGGER, correlation, redact_libraries
from deidentify.net.rules import AssociationInfo, Dimse, Role
from deidentify.net.storage import Duplicate, Writer, store
from deidentify.pixels import PixelRefusal
from deidentify.structure import CorruptStructure, check_encoded

VERIFICATION = "1.2.840.10008.1.1"
MODALITY_WORKLIST_FIND = "1.2.840.10008.5.1.4.31"
MPPS = "1.2.840.10008.3.1.2.3.3"

SUCCESS = 0x0000
STORE_CANNOT_UNDERSTAND = 0xC000
STORE_OUT_OF_RESOURCES = 0xA700
STORE_DUPLICATE = 0x0111
"""Failure: Duplicate SOP Instance (PS3.7 Annex C)."""
FIND_PENDING = 0xFF00
FIND_CANCELLED = 0xFE00
FIND_UNABLE_TO_PROCESS = 0xC000
N_PROCESSING_FAILURE = 0x0110
N_NOT_AUTHORISED = 0x0124

_MPPS_REMEMBERED = 10_000
_PATIENT_IDENTITY = (PATIENT_ID, ISSUER_OF_PATIENT_ID)
"""What an N-CREATE tells of its patient that its N-SETs do not: the keys of its shift."""
_FINAL_STEP_STATES = frozenset({"COMPLETED", "DISCONTINUED"})

_REJECT_PERMANENT, _REJECT_BY_USER = 0x01, 0x01
_NO_REASON, _CALLING_AE_NOT_RECOGNISED, _CALLED_AE_NOT_RECOGNISED = 0x01, 0x03, 0x07
_REJECTIONS = {
    (0x01, 0x01, 0x03): "calling AE title not recognised",
    (0x01, 0x01, 0x07): "called AE title not recognised",
    (0x02, 0x02, 0x01): "user identity not accepted",
    (0x02, 0x03, 0x02): "local limit of associations exceeded",
}


def server_context(tls: TLSConfig) -> ssl.SSLContext:
    """The node's TLS server context; with CA certificates, clients must present one."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(tls.certificate, tls.private_key)
    if tls.ca_certificates is not None:
        context.load_verify_locations(tls.ca_certificates)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def client_context(tls: TLSConfig | None) -> ssl.SSLContext:
    """The context for calling a remote over TLS: verified against the configured CAs."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls is not None:
        if tls.ca_certificates is not None:
            context.load_verify_locations(tls.ca_certificates)
        context.load_cert_chain(tls.certificate, tls.private_key)
    return context


class Node:
    """One running node; ``start`` binds, ``stop`` finishes what is in flight and closes."""

    def __init__(self, config: NodeConfig, coercer: Coercer, secret: bytes, write: Writer,
                 linkage: Linkage | None = None) -> None:
        self.config = config
        self.coercer = coercer
        self._secret = secret
        self._write = write
        self._linkage = linkage
        self._journal = (Journal(config.linkage_folder)
                         if linkage is not None and config.linkage_folder is not None else None)
        self._server: Any = None
        self.admission = Admission(config.limits)
        self._in_flight = 0
        self._idle = threading.Condition()
        self._closing = False
        self.stored = 0
        self._mpps_patients: OrderedDict[str, Dataset] = OrderedDict()
        self.forwarder = (
            Forwarder(config.forward, config.ae_title, coercer, self._tls_for(config.forward),
                      config.limits)
            if config.forward is not None
            else None
        )

    @property
    def address(self) -> tuple[str, int]:
        """The host and port the node listens on (the actual port when 0 was configured)."""
        if self._server is None:
            raise RuntimeError("the node is not started")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> tuple[str, int]:
        """Bind and serve in background threads; returns the bound address."""
        tls = server_context(self.config.tls) if self.config.tls is not None else None
        _config.STORE_RECV_CHUNKED_DATASET = False
        redact_libraries()
        self.config.storage.mkdir(parents=True, exist_ok=True)
        limits = self.config.limits
        ae = AE(ae_title=self.config.ae_title)
        ae.require_called_aet = True
        apply_timeouts(ae, limits)
        ae.maximum_associations = 2 * limits.max_associations
        """pynetdicom's own count includes connections closed here whose threads are still
        ending; admission enforces the configured limit."""
        ae.add_supported_context(VERIFICATION)
        for context in AllStoragePresentationContexts:
            if context.abstract_syntax is not None:
                ae.add_supported_context(context.abstract_syntax, ALL_TRANSFER_SYNTAXES)
        handlers: list[evt.EventHandlerType] = [
            (evt.EVT_REQUESTED, self._on_requested),
            (evt.EVT_ACCEPTED, self._on_accepted),
            (evt.EVT_REJECTED, self._on_rejected),
            (evt.EVT_RELEASED, self._on_released),
            (evt.EVT_ABORTED, self._on_aborted),
            (evt.EVT_C_ECHO, lambda event: SUCCESS),
            (evt.EVT_C_STORE, self._on_store),
        ]
        if self.config.worklist is not None:
            ae.add_supported_context(MODALITY_WORKLIST_FIND)
            handlers.append((evt.EVT_C_FIND, self._on_find))
        if self.config.mpps is not None:
            ae.add_supported_context(MPPS)
            handlers += [(evt.EVT_N_CREATE, self._on_n_create), (evt.EVT_N_SET, self._on_n_set)]
        self._server = start_guarded_server(
            ae, (self.config.host, self.config.port), handlers, tls, self.admission
        )
        if self.forwarder is not None:
            self.forwarder.start()
        host, port = self.address
        LOGGER.info("node %s listening on %s:%d%s", self.config.ae_title, host, port,
                    " (TLS)" if tls else "")
        return host, port

    def stop(self) -> None:
        """Stop accepting, let open associations end (up to the grace time), finish the
        stores in flight (up to the grace time again), abort what is left, drain the forwarder
        and close the issued-UID table."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.shutdown()
        self.admission.stop()
        open_associations = list(server.active_associations)
        LOGGER.info("node %s stopping: no new associations; %d open", self.config.ae_title,
                    len(open_associations))
        grace = self.config.shutdown_grace_seconds
        deadline = time.monotonic() + grace
        for association in open_associations:
            association.join(timeout=max(0.0, deadline - time.monotonic()))
        with self._idle:
            self._closing = True
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=grace)
        for association in list(server.active_associations):
            association.abort()
        if self.forwarder is not None:
            self.forwarder.stop(timeout=grace)
        self.coercer.issued.close()
        if self._journal is not None and self.config.linkage_folder is not None:
            self._journal.close()
            write_linkage_files(self.config.linkage_folder, self.config.storage)
        LOGGER.info("node %s stopped; %d objects stored", self.config.ae_title, self.stored)

    def _tls_for(self, remote: Remote | None) -> ssl.SSLContext | None:
        if remote is None or not remote.tls:
            return None
        return client_context(self.config.tls)

    def _incoming(self, event: Any) -> AssociationInfo:
        requestor, acceptor = event.assoc.requestor, event.assoc.acceptor
        return AssociationInfo(
            calling_ae=str(requestor.ae_title).strip(),
            called_ae=str(acceptor.ae_title).strip(),
            peer_host=str(requestor.address),
        )

    def _outgoing(self, remote: Remote) -> AssociationInfo:
        return AssociationInfo(self.config.ae_title, remote.ae_title, remote.host)

    def _on_requested(self, event: Any) -> None:
        primitive = event.assoc.requestor.primitive
        info = AssociationInfo(
            calling_ae=str(primitive.calling_ae_title).strip(),
            called_ae=str(primitive.called_ae_title).strip(),
            peer_host=str(event.assoc.requestor.address),
        )
        if info.called_ae != self.config.ae_title:
            reason, diagnostic = (f"called AE title {info.called_ae!r} is not this node's",
                                  _CALLED_AE_NOT_RECOGNISED)
        elif info.calling_ae not in self.config.allowed_ae_titles:
            reason, diagnostic = "calling AE title not allowed", _CALLING_AE_NOT_RECOGNISED
        elif self.config.allowed_hosts and info.peer_host not in self.config.allowed_hosts:
            reason, diagnostic = "host not allowed", _NO_REASON
        else:
            return
        LOGGER.warning("association from %r at %s rejected: %s", info.calling_ae,
                       info.peer_host, reason)
        event.assoc.acse.send_reject(_REJECT_PERMANENT, _REJECT_BY_USER, diagnostic)
        event.assoc.kill()

    def _on_rejected(self, event: Any) -> None:
        """pynetdicom's own rejections (ours are logged where they are made)."""
        primitive = event.assoc.acceptor.primitive
        codes = (primitive.result, primitive.result_source, primitive.diagnostic)
        unknown = "result 0x{:02X}, source 0x{:02X}, reason 0x{:02X}".format(*codes)
        reason = _REJECTIONS.get(codes, unknown)
        LOGGER.warning("association from %r at %s rejected: %s",
                       str(event.assoc.requestor.ae_title).strip(),
                       event.assoc.requestor.address, reason)

    def _on_accepted(self, event: Any) -> None:
        info = self._incoming(event)
        LOGGER.info("association from %r at %s accepted", info.calling_ae, info.peer_host)

    def _on_released(self, event: Any) -> None:
        LOGGER.info("association from %r released", self._incoming(event).calling_ae)

    def _on_aborted(self, event: Any) -> None:
        LOGGER.info("association from %r aborted", self._incoming(event).calling_ae)

    def _enter(self) -> bool:
        with self._idle:
            if self._closing:
                return False
            self._in_flight += 1
            return True

    def _leave(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def _on_store(self, event: Any) -> int:
        if not self._enter():
            return STORE_OUT_OF_RESOURCES
        try:
            return self._store(event)
        finally:
            self._leave()

    def _store(self, event: Any) -> int:
        info = self._incoming(event)
        sop_class = str(event.request.AffectedSOPClassUID)
        tag = correlation(self._secret, str(event.request.AffectedSOPInstanceUID))
        if not self.coercer.applicable(Dimse.C_STORE_RQ, Role.SCU, info, sop_class):
            LOGGER.warning("object %s from %r refused: no coercion rule applies", tag,
                           info.calling_ae)
            return STORE_CANNOT_UNDERSTAND
        try:
            self._check_inflation(event, "DataSet")
            _check_structure(event)
            dataset = event.dataset
            dataset.file_meta = event.file_meta
            coerced = self.coercer.coerce(dataset, Dimse.C_STORE_RQ, Role.SCU, info, sop_class)
            path, copy = store(self.config.storage, coerced, self._write,
                               self.config.duplicates)
            self._note_linkage(path)
        except PixelRefusal as refusal:
            LOGGER.error("object %s from %r refused: %s", tag, info.calling_ae, refusal.reason)
            return STORE_CANNOT_UNDERSTAND
        except InflationRefused as refused:
            LOGGER.error("object %s from %r refused: %s", tag, info.calling_ae, refused)
            return STORE_OUT_OF_RESOURCES
        except Duplicate:
            LOGGER.warning("object %s from %r refused: its de-identified SOP Instance UID is "
                           "already stored (duplicates = \"reject\")", tag, info.calling_ae)
            return STORE_DUPLICATE
        except RecursionError:
            LOGGER.error("object %s from %r refused: sequences nested too deeply", tag,
                         info.calling_ae)
            return STORE_CANNOT_UNDERSTAND
        except CorruptStructure as error:
            LOGGER.error("object %s from %r refused: %s", tag, info.calling_ae, error)
            return STORE_CANNOT_UNDERSTAND
        except (CoercionError, ValueError, KeyError, TypeError, AttributeError) as error:
            LOGGER.error("object %s from %r refused: %s", tag, info.calling_ae,
                         type(error).__name__)
            return STORE_CANNOT_UNDERSTAND
        except OSError as error:
            LOGGER.error("object %s from %r not stored: %s", tag, info.calling_ae,
                         error.strerror or type(error).__name__)
            return STORE_OUT_OF_RESOURCES
        with self._idle:
            self.stored += 1
        if copy > 1:
            LOGGER.warning("object %s from %r stored de-identified beside %d with its "
                           "de-identified SOP Instance UID (duplicates = \"keep-both\")", tag,
                           info.calling_ae, copy - 1)
        else:
            LOGGER.info("object %s from %r stored de-identified", tag, info.calling_ae)
        if self.forwarder is not None:
            self.forwarder.submit(path, tag)
        return SUCCESS

    def _check_inflation(self, event: Any, parameter: str) -> None:
        """InflationRefused if the message's deflated dataset would inflate past the bound."""
        if not event.context.transfer_syntax.is_deflated:
            return
        encoded = getattr(event.request, parameter)
        if encoded is None:
            return
        size = encoded.seek(0, io.SEEK_END)
        encoded.seek(0)
        try:
            check_stream(encoded, size, self.config.inflation)
        finally:
            encoded.seek(0)

    def _within_inflation(
        self, event: Any, parameter: str, what: str, incoming: AssociationInfo
    ) -> bool:
        """False (logged) if the message's deflated dataset would inflate past the bound."""
        try:
            self._check_inflation(event, parameter)
        except InflationRefused as refused:
            LOGGER.error("%s from %r refused: %s", what, incoming.calling_ae, refused)
            return False
        return True
    def _note_linkage(self, path: Path) -> None:
        """Journal the replacements of the object just stored at ``path`` (linkage files)."""
        replacements = self._linkage.taken() if self._linkage is not None else None
        if self._journal is not None and replacements is not None:
            self._journal.append(str(path.relative_to(self.config.storage)), replacements)

    def _on_find(self, event: Any) -> Iterator[tuple[int, Dataset | None]]:
        worklist = self.config.worklist
        assert worklist is not None
        incoming, upstream = self._incoming(event), self._outgoing(worklist)
        sop_class = str(event.request.AffectedSOPClassUID)
        response_rules = self.coercer.applicable(
            Dimse.C_FIND_RSP, Role.SCP, upstream, sop_class
        ) + self.coercer.applicable(Dimse.C_FIND_RSP, Role.SCU, incoming, sop_class)
        if not response_rules:
            LOGGER.warning("worklist query from %r refused: no coercion rule applies",
                           incoming.calling_ae)
            yield FIND_UNABLE_TO_PROCESS, None
            return
        if not self._within_inflation(event, "Identifier", "worklist query", incoming):
            yield FIND_UNABLE_TO_PROCESS, None
            return
        first = self.coercer.coerce_query(event.identifier, Role.SCU, incoming, sop_class)
        second = self.coercer.coerce_query(first.upstream, Role.SCP, upstream, sop_class)
        association = self._associate(worklist, MODALITY_WORKLIST_FIND)
        if association is None:
            yield FIND_UNABLE_TO_PROCESS, None
            return
        returned = 0
        try:
            for status, identifier in association.send_c_find(
                second.upstream, MODALITY_WORKLIST_FIND
            ):
                if event.is_cancelled:
                    yield FIND_CANCELLED, None
                    return
                code = int(getattr(status, "Status", FIND_UNABLE_TO_PROCESS))
                if code in (FIND_PENDING, 0xFF01) and identifier is not None:
                    response = self._coerce_response(
                        identifier, (first, incoming), (second, upstream), sop_class
                    )
                    if response is not None:
                        returned += 1
                        yield FIND_PENDING, response
                elif code != SUCCESS:
                    LOGGER.warning("worklist provider %r answered status 0x%04X",
                                   worklist.ae_title, code)
                    yield FIND_UNABLE_TO_PROCESS, None
                    return
        finally:
            association.release()
        LOGGER.info("worklist query from %r relayed: %d items returned",
                    incoming.calling_ae, returned)

    def _coerce_response(
        self,
        identifier: Dataset,
        caller: tuple[Query, AssociationInfo],
        provider: tuple[Query, AssociationInfo],
        sop_class: str,
    ) -> Dataset | None:
        """A provider's response coerced on the way in and out; None if it does not match."""
        response = self.coercer.coerce(identifier, Dimse.C_FIND_RSP, Role.SCP, provider[1],
                                       sop_class)
        if not provider[0].accepts(response):
            return None
        response = self.coercer.coerce(response, Dimse.C_FIND_RSP, Role.SCU, caller[1],
                                       sop_class)
        if not caller[0].accepts(response):
            return None
        if hasattr(response, "file_meta"):
            del response.file_meta
        return response

    def _on_n_create(self, event: Any) -> tuple[int, Dataset | None]:
        requested = event.request.AffectedSOPInstanceUID
        instance = str(requested) if requested else generate_uid()
        if not self._within_inflation(event, "AttributeList", Dimse.N_CREATE_RQ.value,
                                      self._incoming(event)):
            return N_PROCESSING_FAILURE, None
        attributes: Dataset = event.attribute_list
        status = self._relay_mpps(event, Dimse.N_CREATE_RQ, instance, attributes)
        if status == SUCCESS:
            self._remember_patient(instance, attributes)
        if requested or status != SUCCESS:
            return status, None
        reply = Dataset()
        reply.AffectedSOPInstanceUID = instance
        return status, reply

    def _on_n_set(self, event: Any) -> tuple[int, Dataset | None]:
        instance = str(event.request.RequestedSOPInstanceUID)
        if not self._within_inflation(event, "ModificationList", Dimse.N_SET_RQ.value,
                                      self._incoming(event)):
            return N_PROCESSING_FAILURE, None
        modification: Dataset = event.modification_list
        with self._idle:
            patient = self._mpps_patients.get(instance)
        status = self._relay_mpps(event, Dimse.N_SET_RQ, instance, modification, patient)
        if str(modification.get("PerformedProcedureStepStatus", "")) in _FINAL_STEP_STATES:
            with self._idle:
                self._mpps_patients.pop(instance, None)
        return status, None

    def _remember_patient(self, instance: str, attributes: Dataset) -> None:
        """Keep (in memory only) the patient's identity of an MPPS instance, its Patient ID
        and Issuer of Patient ID as the N-CREATE gave them: an N-SET carries neither, and
        its dates' keyed shift depends on both."""
        patient = Dataset()
        for tag in _PATIENT_IDENTITY:
            if tag in attributes:
                patient[tag] = copy.deepcopy(attributes[tag])
        with self._idle:
            self._mpps_patients[instance] = patient
            while len(self._mpps_patients) > _MPPS_REMEMBERED:
                self._mpps_patients.popitem(last=False)

    def _relay_mpps(
        self,
        event: Any,
        dimse: Dimse,
        instance: str,
        dataset: Dataset,
        patient: Dataset | None = None,
    ) -> int:
        mpps = self.config.mpps
        assert mpps is not None
        incoming, upstream = self._incoming(event), self._outgoing(mpps)
        sop_class = MPPS
        if not (
            self.coercer.applicable(dimse, Role.SCU, incoming, sop_class)
            or self.coercer.applicable(dimse, Role.SCP, upstream, sop_class)
        ):
            LOGGER.warning("%s from %r refused: no coercion rule applies", dimse.value,
                           incoming.calling_ae)
            return N_NOT_AUTHORISED
        sent = frozenset(dataset.keys())
        if patient is not None and PATIENT_ID not in dataset:
            dataset = copy.deepcopy(dataset)
            dataset.update(patient)
        try:
            coerced = self.coercer.coerce(dataset, dimse, Role.SCU, incoming, sop_class)
            coerced = self.coercer.coerce(coerced, dimse, Role.SCP, upstream, sop_class)
            if dimse is Dimse.N_SET_RQ:
                # An N-SET modifies what it names: nothing the coercion added goes with it
                # (the patient's identity given for the dates' shift, its pseudonyms).
                for element in list(coerced):
                    if element.tag not in sent:
                        del coerced[element.tag]
            uid = self.coercer.coerce_uid(instance, dimse, Role.SCU, incoming, sop_class)
            uid = self.coercer.coerce_uid(uid, dimse, Role.SCP, upstream, sop_class)
        except (CoercionError, ValueError, KeyError, TypeError, AttributeError) as error:
            LOGGER.error("%s from %r refused: %s", dimse.value, incoming.calling_ae,
                         type(error).__name__)
            return N_PROCESSING_FAILURE
        if hasattr(coerced, "file_meta"):
            del coerced.file_meta
        association = self._associate(mpps, MPPS)
        if association is None:
            return N_PROCESSING_FAILURE
        try:
            if dimse is Dimse.N_CREATE_RQ:
                status, _ = association.send_n_create(coerced, MPPS, uid)
            else:
                status, _ = association.send_n_set(coerced, MPPS, uid)
        finally:
            association.release()
        code = int(getattr(status, "Status", N_PROCESSING_FAILURE))
        LOGGER.info("%s from %r relayed to %r: status 0x%04X", dimse.value,
                    incoming.calling_ae, mpps.ae_title, code)
        return code

    def _associate(self, remote: Remote, sop_class: str) -> Association | None:
        ae = AE(ae_title=self.config.ae_title)
        apply_timeouts(ae, self.config.limits)
        ae.add_requested_context(sop_class)
        tls = self._tls_for(remote)
        association = ae.associate(
            remote.host,
            remote.port,
            ae_title=remote.ae_title,
            tls_args=(tls, remote.host) if tls is not None else None,
        )
        if association.is_established:
            return association
        LOGGER.error("could not associate with %r at %s:%d", remote.ae_title, remote.host,
                     remote.port)
        return None



def _check_structure(event: Any) -> None:
    """CorruptStructure if the received dataset's element structure is inconsistent, as the
    file paths refuse it (:mod:`deidentify.structure`)."""
    syntax = event.context.transfer_syntax
    check_encoded(event.request.DataSet.getvalue(), 0, bool(syntax.is_implicit_VR),
                  bool(syntax.is_little_endian), bool(syntax.is_deflated))
