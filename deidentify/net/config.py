"""The node's TOML configuration: ``[node]``, ``[tls]``, ``[forward]``, ``[worklist]``,
``[mpps]`` and ``[[rule]]`` (more rules may come from ``[node] rules_file``). Unknown keys are
errors; every error is one line naming the file, the table and the key. Relative paths are
relative to the configuration file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from deidentify.beyond import UnknownPolicy
from deidentify.inflation import DEFAULT_MAX_BYTES, DEFAULT_MAX_RATIO, MB, InflationLimit
from deidentify.linkage.pseudonyms import NameMode
from deidentify.linkage.settings import LinkageSettings
from deidentify.net.rules import CoercionRule, RulesError, load_rules, load_toml, parse_rules
from deidentify.pixels import BurnedIn, PixelMode, PixelSettings

_AE_TITLE_MAX = 16


@dataclass(frozen=True)
class Remote:
    """A remote application entity the node calls."""

    ae_title: str
    host: str
    port: int
    tls: bool = False


@dataclass(frozen=True)
class TLSConfig:
    """The node's certificate and key; with CA certificates, callers must present one too."""

    certificate: Path
    private_key: Path
    ca_certificates: Path | None = None


class Duplicates(Enum):
    """What the node does with an object whose de-identified SOP Instance UID it has stored."""

    REJECT = "reject"
    KEEP_BOTH = "keep-both"


@dataclass(frozen=True)
class Limits:
    """How many connections the node holds, and for how long (seconds)."""

    max_associations: int = 32
    max_associations_per_host: int = 8
    acse_timeout: float = 10.0
    """A connection must have negotiated its association within this; pynetdicom's ACSE
    timeout too."""
    dimse_timeout: float = 30.0
    network_timeout: float = 30.0
    """An association idle this long is closed, and so is a connection stalled in a read."""
    max_association_seconds: float = 3600.0


@dataclass(frozen=True)
class NodeConfig:
    """Everything ``deidentify serve`` needs."""

    ae_title: str
    host: str
    port: int
    storage: Path
    allowed_ae_titles: frozenset[str]
    allowed_hosts: frozenset[str]
    rules: tuple[CoercionRule, ...]
    secret_file: Path | None = None
    edition: str | None = None
    issued_uids: Path | None = None
    shutdown_grace_seconds: float = 30.0
    tls: TLSConfig | None = None
    forward: Remote | None = None
    worklist: Remote | None = None
    mpps: Remote | None = None
    unknown: UnknownPolicy = UnknownPolicy.REMOVE
    limits: Limits = field(default_factory=Limits)
    duplicates: Duplicates = Duplicates.REJECT
    inflation: InflationLimit = field(default_factory=InflationLimit)
    linkage: LinkageSettings = field(default_factory=LinkageSettings)
    """Patient values, and (with ``linkage_folder``) replacements noted for linkage files."""
    linkage_folder: Path | None = None
    """Where ``patients.csv`` and ``uids.csv`` of the stored objects are written."""
    pixels: PixelSettings = field(default_factory=PixelSettings)
    """``[node] burned_in`` (refuse or accept), ``pixel_mode``, ``pixel_rules``: objects at
    risk of burned-in identity, as ``deidentify apply`` treats them."""


class _Table:
    """Typed access to one table of the configuration, with one-line errors."""

    def __init__(self, source: Path, name: str, table: object, known: set[str]) -> None:
        self.source = source
        self.name = name
        if not isinstance(table, dict):
            raise self.error(None, "must be a table")
        self.table: dict[str, Any] = table
        unknown = sorted(set(table) - known)
        if unknown:
            raise self.error(unknown[0], f"unknown key; valid keys: {', '.join(sorted(known))}")

    def error(self, key: str | None, problem: str) -> RulesError:
        where = f"[{self.name}]" + (f" {key}" if key else "")
        return RulesError(f"{self.source}: {where}: {problem}")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if value is None:
            raise self.error(key, "missing")
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if key in self.table else None

    def ae_title(self, key: str) -> str:
        value = self.text(key)
        if len(value) > _AE_TITLE_MAX or "\\" in value or not value.isprintable():
            raise self.error(key, "not a valid AE title (1-16 printable characters, no '\\')")
        return value

    def port(self, key: str, default: int | None = None) -> int:
        value = self.table.get(key, default)
        if value is None:
            raise self.error(key, "missing")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 65535:
            raise self.error(key, "must be a port number 0-65535")
        return value

    def flag(self, key: str) -> bool:
        value = self.table.get(key, False)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def number(self, key: str, default: float) -> float:
        value = self.table.get(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise self.error(key, "must be a non-negative number")
        return float(value)

    def positive(self, key: str, default: float) -> float:
        value = self.number(key, default)
        if value <= 0:
            raise self.error(key, "must be a positive number")
        return value

    def count(self, key: str, default: int) -> int:
        value = self.table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise self.error(key, "must be a whole number, at least 1")
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.table.get(key, default)
        if value not in choices:
            raise self.error(key, f"must be one of {', '.join(repr(c) for c in choices)}")
        return str(value)

    def strings(self, key: str) -> frozenset[str]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise self.error(key, "must be a list of non-empty strings")
        return frozenset(item.strip() for item in value)

    def path(self, key: str) -> Path | None:
        value = self.optional_text(key)
        if value is None:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.source.parent / path


_NODE_KEYS = {
    "ae_title",
    "host",
    "port",
    "storage",
    "allowed_ae_titles",
    "allowed_hosts",
    "secret_file",
    "edition",
    "issued_uids",
    "shutdown_grace_seconds",
    "rules_file",
    "unknown",
    "max_associations",
    "max_associations_per_host",
    "acse_timeout",
    "dimse_timeout",
    "network_timeout",
    "max_association_seconds",
    "duplicates",
    "max_inflated_mb",
    "max_inflate_ratio",
    "linkage",
    "patient_map",
    "patient_map_missing",
    "patient_name",
    "encrypt_to",
    "burned_in",
    "pixel_mode",
    "pixel_rules",
}
_REMOTE_KEYS = {"ae_title", "host", "port", "tls"}
_TLS_KEYS = {"certificate", "private_key", "ca_certificates"}
_TOP_KEYS = {"node", "tls", "forward", "worklist", "mpps", "rule"}


def _remote(source: Path, name: str, table: object) -> Remote:
    reader = _Table(source, name, table, _REMOTE_KEYS)
    return Remote(
        ae_title=reader.ae_title("ae_title"),
        host=reader.text("host"),
        port=reader.port("port"),
        tls=reader.flag("tls"),
    )


def _tls(source: Path, table: object) -> TLSConfig:
    reader = _Table(source, "tls", table, _TLS_KEYS)
    certificate, private_key = reader.path("certificate"), reader.path("private_key")
    if certificate is None:
        raise reader.error("certificate", "missing")
    if private_key is None:
        raise reader.error("private_key", "missing")
    ca_certificates = reader.path("ca_certificates")
    for key, path in (("certificate", certificate), ("private_key", private_key),
                      ("ca_certificates", ca_certificates)):
        if path is not None and not path.is_file():
            raise reader.error(key, f"no such file {path}")
    return TLSConfig(certificate, private_key, ca_certificates)


def _rules(source: Path, document: dict[str, Any], rules_file: Path | None) -> tuple[
    CoercionRule, ...
]:
    """The inline ``[[rule]]`` tables, then those of ``rules_file``; names unique across both."""
    inline = parse_rules(document.get("rule", []), str(source))
    if rules_file is None:
        return inline
    shared = load_rules(rules_file)
    names = {rule.name for rule in inline}
    for index, rule in enumerate(shared):
        if rule.name in names:
            raise RulesError(f"{rules_file}: rule {index} ({rule.name!r}): name: also a rule "
                             f"of {source}")
    return inline + shared


def _limits(node: _Table) -> Limits:
    defaults = Limits()
    limits = Limits(
        max_associations=node.count("max_associations", defaults.max_associations),
        max_associations_per_host=node.count("max_associations_per_host",
                                             defaults.max_associations_per_host),
        acse_timeout=node.positive("acse_timeout", defaults.acse_timeout),
        dimse_timeout=node.positive("dimse_timeout", defaults.dimse_timeout),
        network_timeout=node.positive("network_timeout", defaults.network_timeout),
        max_association_seconds=node.positive("max_association_seconds",
                                              defaults.max_association_seconds),
    )
    if limits.max_associations_per_host > limits.max_associations:
        raise node.error("max_associations_per_host", "must not exceed max_associations")
    return limits


def _inflation(node: _Table) -> InflationLimit:
    return InflationLimit(
        max_bytes=int(node.positive("max_inflated_mb", DEFAULT_MAX_BYTES / MB) * MB),
        max_ratio=node.positive("max_inflate_ratio", DEFAULT_MAX_RATIO),
    )


def _pixels(node: _Table) -> PixelSettings:
    choices: dict[str, tuple[str, ...]] = {
        "burned_in": tuple(choice.value for choice in BurnedIn),
        "pixel_mode": tuple(mode.value for mode in PixelMode),
    }
    values = {}
    for key, valid in choices.items():
        value = node.text(key, valid[0])
        if value not in valid:
            raise node.error(key, f"must be one of {', '.join(valid)}")
        values[key] = value
    rules = node.path("pixel_rules")
    if rules is not None and not rules.is_file():
        raise node.error("pixel_rules", f"no such file {rules}")
    return PixelSettings(BurnedIn(values["burned_in"]), PixelMode(values["pixel_mode"]), rules)


def load_config(path: str | Path) -> NodeConfig:
    """Read and check a node configuration file."""
    source = Path(path)
    document = load_toml(source)
    unknown = sorted(set(document) - _TOP_KEYS)
    if unknown:
        raise RulesError(f"{source}: {unknown[0]}: unknown table; valid: {', '.join(_TOP_KEYS)}")
    if "node" not in document:
        raise RulesError(f"{source}: [node]: missing")
    node = _Table(source, "node", document["node"], _NODE_KEYS)
    storage = node.path("storage")
    if storage is None:
        raise node.error("storage", "missing")
    allowed = node.strings("allowed_ae_titles")
    if not allowed:
        raise node.error("allowed_ae_titles", "must name at least one calling AE title")
    remotes = {
        name: _remote(source, name, document[name])
        for name in ("forward", "worklist", "mpps")
        if name in document
    }
    linkage_folder = node.path("linkage")
    if linkage_folder is not None and (
        linkage_folder.resolve() == storage.resolve()
        or storage.resolve() in linkage_folder.resolve().parents
    ):
        raise node.error("linkage", "the linkage folder identifies patients: it cannot lie "
                         "inside the storage folder")
    linkage = LinkageSettings(
        patient_map=node.path("patient_map"),
        missing_keyed=node.choice("patient_map_missing", "fail", ("fail", "keyed")) == "keyed",
        name_mode=NameMode(node.choice("patient_name", NameMode.PSEUDONYM.value,
                                         tuple(m.value for m in NameMode))),
        record=linkage_folder is not None,
        encrypt_to=node.path("encrypt_to"),
    )
    return NodeConfig(
        linkage=linkage,
        linkage_folder=linkage_folder,
        ae_title=node.ae_title("ae_title"),
        host=node.text("host", "127.0.0.1"),
        port=node.port("port", 11112),
        storage=storage,
        allowed_ae_titles=allowed,
        allowed_hosts=node.strings("allowed_hosts"),
        rules=_rules(source, document, node.path("rules_file")),
        secret_file=node.path("secret_file"),
        edition=node.optional_text("edition"),
        issued_uids=node.path("issued_uids"),
        shutdown_grace_seconds=node.number("shutdown_grace_seconds", 30.0),
        tls=_tls(source, document["tls"]) if "tls" in document else None,
        forward=remotes.get("forward"),
        worklist=remotes.get("worklist"),
        mpps=remotes.get("mpps"),
        unknown=UnknownPolicy(node.choice(
            "unknown", UnknownPolicy.REMOVE.value, tuple(policy.value for policy in UnknownPolicy)
        )),
        limits=_limits(node),
        duplicates=Duplicates(node.choice("duplicates", Duplicates.REJECT.value,
                                          tuple(item.value for item in Duplicates))),
        inflation=_inflation(node),
        pixels=_pixels(node),
    )
