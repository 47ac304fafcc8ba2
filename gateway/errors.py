"""The one exception tree of the gateway.

Every error an operator can meet is a ``GatewayError``; the CLI catches that class, prints
``str(error)`` as one line and exits with ``error.exit_code``.  Third-party exceptions (pydantic,
SQLAlchemy, paramiko, pyx12) are translated into this tree at the module that calls them.

Messages name the place (file, segment number, claim id, config key) and never carry PHI
(patient names, member ids, birth dates): they end up in logs.

* GatewayError
  + ConfigError                 payer_configs/, settings, clearinghouse profiles
    - ConfigProblems            several problems at once (``gateway config check`` lists them)
  + InputError                  claim / auth JSON that does not validate (exit 2 = unreadable input)
  + X12Error
    - X12SyntaxError            delimiter in data, bad ISA, unreadable file (carries segment index)
    - BuildError                a claim cannot be turned into a valid 837P/278 (carries claim ids)
    - ValidationFailed          the pyx12 gate or our own checks found errors in a built file
    - ParseError                an inbound file cannot be parsed
  + RuleViolation               a claim is held by payer rules
    - ClaimsHeld                one or more claims of a build are held (``problems`` per claim)
  + StoreError                  database problems (migration missing, lock lost)
  + CodeSetError                a code-set file (ICD-10-CM, NCCI, MCD export) that cannot be imported
  + SpoolError                  a spool folder (outbound/, inbound/) cannot be written
  + TransportError
    - TemporaryTransportError   retry with backoff (timeouts, resets, server disk full)
    - PermanentTransportError   stop the clearinghouse, alert an operator (host key, auth, permission)
"""

from __future__ import annotations

from collections.abc import Sequence


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose.

    ``problems`` holds one line per problem when there are several (each naming its place);
    the CLI prints the message, then each problem.
    """

    exit_code: int = 1

    def __init__(self, message: str = "", problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems)


class ConfigError(GatewayError):
    """A configuration file or setting is wrong; the message names the file and key."""

    exit_code = 2


class ConfigProblems(ConfigError):
    """Configuration files with one or more problems; ``problems`` has one line per file and key."""


class InputError(GatewayError):
    """Input data (claims JSON, auth JSON) cannot be read or does not validate."""

    exit_code = 2


class X12Error(GatewayError):
    """Anything wrong with X12 bytes we write or read."""


class X12SyntaxError(X12Error):
    """Data that cannot be written to, or read from, X12 syntax."""

    def __init__(self, message: str, segment_index: int | None = None) -> None:
        where = f"segment {segment_index}: " if segment_index is not None else ""
        super().__init__(f"{where}{message}")
        self.segment_index = segment_index


class BuildError(X12Error):
    """One or more claims cannot be built; ``problems`` lists each as 'claim PCN: what'."""


class ValidationFailed(X12Error):
    """A built or received file failed validation; ``problems`` has one line per error."""


class ParseError(X12Error):
    """An inbound file cannot be parsed (garbage, truncated, empty)."""

    exit_code = 2


class RuleViolation(GatewayError):
    """A claim is held by payer rules."""

    def __init__(self, message: str, claim_id: str = "", rule_id: str = "") -> None:
        super().__init__(message)
        self.claim_id = claim_id
        self.rule_id = rule_id


class ClaimsHeld(RuleViolation):
    """Claims of a build are held by payer rules or prior authorization; nothing was built."""

    exit_code = 3

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class CodeSetError(GatewayError):
    """A publisher's code-set file is unreadable, truncated or not in the expected layout.

    The message names the file, the line and the column or layout that was expected; nothing of
    the file has been stored when it is raised.
    """

    exit_code = 2


class StoreError(GatewayError):
    """The database cannot do what was asked (not migrated, unreachable, conflict)."""


class SpoolError(GatewayError):
    """A spool folder cannot be written; the message names the path."""


class TransportError(GatewayError):
    """Moving a file to or from a clearinghouse failed."""


class TemporaryTransportError(TransportError):
    """Worth retrying later: timeouts, resets, refused connections, server disk full."""

    # What went wrong as a stable slug ("connection_refused", "timeout", "dns", ...): stored with
    # the clearinghouse's failure streak and shown to operators, so it never carries data.
    kind: str = "network"


class PermanentTransportError(TransportError):
    """Retrying cannot help: host key mismatch, authentication failure, permission denied."""
