"""The errors of a linkage set-up: one line naming the file and the problem, never a value."""


class LinkageError(ValueError):
    """A lookup table, certificate or key that cannot be used, or a missing extra."""


class LookupTableError(LinkageError):
    """A lookup table that cannot be used; the message names the file and the line."""


class CredentialError(LinkageError):
    """A certificate or private key that cannot be used; the message names the file."""


MISSING_EXTRA = ("sealing or opening originals needs the cryptography package: "
                 "pip install 'deidentify[linkage]'")
