"""Services of the members context: reads on a read transaction, writes as commands on the bus."""

from __future__ import annotations

from dataclasses import dataclass

from guildcard.members.services.base import MembersDeps
from guildcard.members.services.duplicates import DuplicateService
from guildcard.members.services.identity import IdentityService
from guildcard.members.services.imports import ImportService
from guildcard.members.services.member_codes import MemberCodes
from guildcard.members.services.merge import MergeService
from guildcard.members.services.privacy import PrivacyService
from guildcard.members.services.profiles import ProfileService


@dataclass(frozen=True)
class MembersService:
    """Everything the entry points may ask of the members context."""

    deps: MembersDeps

    @property
    def identity(self) -> IdentityService:
        return IdentityService(self.deps)

    @property
    def profiles(self) -> ProfileService:
        return ProfileService(self.deps)

    @property
    def member_codes(self) -> MemberCodes:
        return MemberCodes(self.deps)

    @property
    def privacy(self) -> PrivacyService:
        return PrivacyService(self.deps)

    @property
    def duplicates(self) -> DuplicateService:
        return DuplicateService(self.deps)

    @property
    def imports(self) -> ImportService:
        return ImportService(self.deps)

    @property
    def merging(self) -> MergeService:
        return MergeService(self.deps)
