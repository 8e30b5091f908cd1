"""Names and defaults that the parsers offer, spelled here so that building the command line
imports neither the engine nor pydicom (their homes import both).

Each value is its home's: ``tests/batch/test_lazy_imports.py`` holds every one of them to the
enum or constant it names, so that the two cannot drift apart.
"""

POLICIES = ("conformant", "strict")
"""``deidentify.plan.CompoundPolicy``: the values of ``--policy``."""

LAYOUTS = ("mirror", "hierarchy")
"""``deidentify.batch.Layout``: the values of ``--layout``."""

BURNED_IN = ("refuse", "accept")
"""``deidentify.pixels.BurnedIn``: the values of ``--burned-in``."""

PIXEL_MODES = ("identifiers", "all")
"""``deidentify.pixels.PixelMode``: the values of ``--pixel-mode``."""

NAME_MODES = ("pseudonym", "empty")
"""``deidentify.linkage.NameMode``: the values of ``--patient-name``."""

MB = 1_000_000
"""``deidentify.inflation.MB``: the unit of ``--max-inflated-mb``."""

INFLATION_FLOOR = 64 * MB
"""``deidentify.inflation.FLOOR``: below this many bytes no inflation ratio is refused."""

MAX_INFLATED_BYTES = 500 * MB
"""``deidentify.inflation.DEFAULT_MAX_BYTES``: the default of ``--max-inflated-mb``."""

MAX_INFLATE_RATIO = 100.0
"""``deidentify.inflation.DEFAULT_MAX_RATIO``: the default of ``--max-inflate-ratio``."""

RUN_RECORD = ".deidentify-run"
"""``deidentify.batch.identity.RECORD``: the output folder's run record."""

CHECK_KEY = "secret-check"
"""``deidentify.batch.identity.CHECK_KEY``: the record's line holding the secret's check."""
