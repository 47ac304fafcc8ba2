"""The simulator's side of a clearinghouse connection: a transport turned around.

The gateway uploads into ``upload_dir`` and fetches from ``response_dir``; the simulator does
the opposite, so it uses the very same transport classes with the two folders swapped.  For an
SFTP profile that means logging in with the profile's account (in the tests, the same account
the gateway uses) and serving its folders on the server.
"""

from __future__ import annotations

from pathlib import Path

from gateway.transport import ClearinghouseProfile, open_transport
from gateway.transport.base import Transport
from gateway.transport.local import LocalTransport

UPLOAD_FOLDER = "to-clearinghouse"  # as in examples/clearinghouses/local_folders.yaml
RESPONSE_FOLDER = "from-clearinghouse"


def folder_pair(folder: Path) -> tuple[Path, Path]:
    """``FOLDER/to-clearinghouse`` (the gateway's uploads) and ``FOLDER/from-clearinghouse``."""
    return folder / UPLOAD_FOLDER, folder / RESPONSE_FOLDER


def mirrored_local(name: str, upload_dir: Path, response_dir: Path) -> Transport:
    """A local folder pair seen from the clearinghouse's side (uploads in, responses out)."""
    for path in (upload_dir, response_dir):
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return LocalTransport(name, upload_dir=response_dir, response_dir=upload_dir)


def mirrored_profile(profile: ClearinghouseProfile) -> Transport:
    """The profile's transport with its folders swapped (no archive: uploads are removed)."""
    if profile.transport == "local":
        return mirrored_local(profile.name, Path(profile.upload_dir), Path(profile.response_dir))
    swapped = profile.connection.model_copy(
        update={
            "upload_dir": profile.response_dir,
            "response_dir": profile.upload_dir,
            "archive_dir": None,
            "response_glob": "*",
        }
    )
    turned = profile.model_copy(update={"connection": swapped})
    return open_transport(turned)
