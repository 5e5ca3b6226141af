"""Publishing a new version of the membership terms (operators), and agreeing to it (members)."""

from __future__ import annotations

from dataclasses import dataclass

from guildcard.kernel.actors import Actor
from guildcard.kernel.errors import PermissionDenied
from guildcard.kernel.permissions import Perm
from guildcard.members.domain.terms import MAX_BODY_LEN, MAX_VERSION_LEN, Terms
from guildcard.members.errors import InvalidTerms, TermsVersionTaken
from guildcard.members.handlers.common import handlers
from guildcard.members.storage import terms as terms_store
from guildcard.pipeline import Command, Work, versions


@dataclass(frozen=True, kw_only=True)
class PublishTerms(Command):
    scope = "members.publish_terms"
    permission = Perm.ALLIANCE_CONFIGURE
    alliance_id: str
    version: str
    body: str


def own_alliance(actor: Actor, command: PublishTerms) -> None:
    if actor.alliance_id != command.alliance_id:
        raise PermissionDenied()


@handlers.register(authorize=own_alliance)
def publish_terms(command: PublishTerms, work: Work) -> Terms:
    version, body = command.version.strip(), command.body.strip().replace("\r\n", "\n")
    if not (1 <= len(version) <= MAX_VERSION_LEN and 1 <= len(body) <= MAX_BODY_LEN):
        raise InvalidTerms(field="version" if not version or len(version) > MAX_VERSION_LEN else "body")
    conn = work.connection
    if terms_store.version_exists(conn, command.alliance_id, version):
        raise TermsVersionTaken(field="version")
    terms_store.add_terms(conn, command.alliance_id, version, body, at=work.now, by=work.actor.id)
    versions.bump(conn, command.alliance_id, versions.Topic.MEMBER_TERMS)
    work.emit("members.terms_published", command.alliance_id, version=version)
    work.audit("members.publish_terms", object_type="terms", object_id=version, details={"version": version})
    return Terms(version, body, work.now)
