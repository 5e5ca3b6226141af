"""Whether a member must agree to the current terms, asked on every member page (issue 12).

The alliance's current terms are served from a per-process copy kept current by the
``member_terms`` version (``pipeline/versions.py``: publishing bumps it in its own transaction), and
what a member agreed to is remembered once seen: an agreement to a version is never withdrawn (the
terms cannot be, erasure is the way out), so "agreed to the current version" stays true until the
next version is published. A warm check therefore costs the one read of the alliance's versions;
a newly published version is asked for at the member's next page, in every process.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection

from guildcard.members.domain.terms import Terms
from guildcard.members.storage import terms as terms_store
from guildcard.pipeline.versions import Topic, VersionedCache

MAX_REMEMBERED = 200_000  # members' agreements one process remembers before starting afresh


class TermsCheck:
    def __init__(self) -> None:
        self.terms: VersionedCache[Terms] = VersionedCache(Topic.MEMBER_TERMS, terms_store.current_terms)
        self._agreed: dict[tuple[str, str], str] = {}  # (alliance, member) -> a version they agreed to
        self._lock = threading.Lock()

    def to_agree(self, conn: Connection, alliance_id: str, member_id: str) -> Terms | None:
        """The current terms when the member has not agreed to this version yet, else None."""
        terms = self.terms.get(conn, alliance_id)
        if self._agreed.get((alliance_id, member_id)) == terms.version:
            return None
        if terms_store.agreed_version(conn, alliance_id, member_id) != terms.version:
            return terms
        with self._lock:
            if len(self._agreed) >= MAX_REMEMBERED:
                self._agreed.clear()
            self._agreed[(alliance_id, member_id)] = terms.version
        return None
