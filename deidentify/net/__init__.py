"""Coercion on the wire: ``deidentify:`` rules for C-STORE, C-FIND and MPPS, and a DICOM node.

The rules layer (``rules``, ``coercion``, ``issued``, ``matching``) needs only pydicom: use
``Coercer.coerce`` in your own pynetdicom event handlers. The node (``deidentify.net.node``)
and the forwarder need pynetdicom (the ``net`` extra).
"""

from deidentify.net.coercion import Coercer, CoercionError, Query
from deidentify.net.issued import IssuedUIDs
from deidentify.net.profiles import KeyHandling, ProfileEngine
from deidentify.net.rules import (
    AssociationInfo,
    CoercionRule,
    Dimse,
    Role,
    RulesError,
    load_rules,
    select_rules,
)

__all__ = [
    "AssociationInfo",
    "Coercer",
    "CoercionError",
    "CoercionRule",
    "Dimse",
    "IssuedUIDs",
    "KeyHandling",
    "ProfileEngine",
    "Query",
    "Role",
    "RulesError",
    "load_rules",
    "select_rules",
]
