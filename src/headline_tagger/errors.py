"""The exceptions headline-tagger raises: one tree, so callers can catch them all at once."""

from __future__ import annotations


class HeadlineTaggerError(Exception):
    """Base class of every error this library raises on purpose."""


class ModelError(HeadlineTaggerError):
    """A model could not be loaded or used."""


class ModelIntegrityError(ModelError):
    """A model file is damaged, truncated or altered (checksum or format mismatch)."""


class UntrustedModelError(ModelError):
    """A model file would run code when loaded (pickle/joblib) and the caller did not trust it."""


class InputError(HeadlineTaggerError, ValueError):
    """Input data the library cannot use: a bad file, a missing column, an unknown format."""


class ColumnNotFoundError(InputError, KeyError):
    """The headline column is not in the input; the message lists the columns found."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class TrainingError(HeadlineTaggerError, ValueError):
    """Training data or configuration that cannot produce a model."""
