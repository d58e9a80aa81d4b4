"""Failures of the sync layer; every message is written for the user, in Russian."""

from curator_tui.domain.errors import UserFacingError


class SyncError(UserFacingError):
    """Base class of everything the sync layer refuses."""


class KeyFileError(SyncError):
    """A key file is missing, unreadable, of the wrong kind or damaged."""


class SignatureError(SyncError):
    """An SSHSIG signature is malformed, made for another purpose, or does not match."""


class TrustError(SyncError):
    """The trust list is damaged, or a signer is not (or no longer) trusted for this data."""


class BundleError(SyncError):
    """A bundle file cannot be written, decrypted or accepted."""
