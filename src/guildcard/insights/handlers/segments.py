"""Tags (by rule or by hand) and segments (saved filters): operators define them."""

from __future__ import annotations

from dataclasses import dataclass, field

from guildcard.insights import access
from guildcard.insights.domain.errors import BadRule, TagNotFound
from guildcard.insights.domain.segments import SegmentFilter
from guildcard.insights.domain.tags import compile_rule
from guildcard.insights.handlers.base import handlers
from guildcard.insights.storage.segments import SegmentRepository, StoredSegment, StoredTag
from guildcard.kernel.actors import Actor
from guildcard.kernel.ids import new_id
from guildcard.pipeline import Command, Work


def _operator(actor: Actor, _command: object) -> None:
    access.require_operator(actor)


@dataclass(frozen=True, kw_only=True)
class DefineTag(Command):
    scope = "insights.tag"
    name: str
    rule: str | None = None  # None: put on members by hand


@dataclass(frozen=True, kw_only=True)
class TagMembers(Command):
    scope = "insights.tag_members"
    tag_id: str
    member_ids: tuple[str, ...]
    remove: bool = False


@dataclass(frozen=True, kw_only=True)
class SaveSegment(Command):
    scope = "insights.segment"
    name: str
    definition: dict[str, object] = field(default_factory=dict)


def _name(text: str) -> str:
    name = text.strip()
    if not 1 <= len(name) <= 50:
        raise BadRule(reason="a name has 1 to 50 characters", field="name")
    return name


@handlers.register(authorize=_operator)
def define_tag(command: DefineTag, work: Work) -> StoredTag:
    rule = (command.rule or "").strip() or None
    if rule is not None:
        compile_rule(rule)
    tag = StoredTag(new_id("tag"), _name(command.name), rule)
    SegmentRepository(work.connection, work.alliance_id).add_tag(tag, work.now)
    work.audit(
        "insights.define_tag",
        object_type="tag",
        object_id=tag.tag_id,
        details={"name": tag.name, "rule": rule},
    )
    work.emit("insights.tag_defined", tag.tag_id, tag_id=tag.tag_id, by_rule=rule is not None)
    return tag


@handlers.register(authorize=_operator)
def tag_members(command: TagMembers, work: Work) -> int:
    repo = SegmentRepository(work.connection, work.alliance_id)
    tag = next((t for t in repo.tags() if t.tag_id == command.tag_id), None)
    if tag is None or tag.rule is not None:  # a rule's members follow the rule, not a hand
        raise TagNotFound(tag_id=command.tag_id)
    members = list(command.member_ids)
    if command.remove:
        changed = repo.untag_members(tag.tag_id, members)
    else:
        changed = repo.tag_members(tag.tag_id, members, now=work.now, actor_id=work.actor.id)
    details = {"members": len(members), "changed": changed, "remove": command.remove}
    work.audit("insights.tag_members", object_type="tag", object_id=tag.tag_id, details=details)
    work.emit("insights.members_tagged", tag.tag_id, tag_id=tag.tag_id, **details)
    return changed


@handlers.register(authorize=_operator)
def save_segment(command: SaveSegment, work: Work) -> StoredSegment:
    flt = SegmentFilter.from_json(command.definition)
    flt.check()
    known = {t.tag_id for t in SegmentRepository(work.connection, work.alliance_id).tags()}
    if missing := [t for t in flt.tags if t not in known]:
        raise TagNotFound(tag_id=missing[0])
    segment = StoredSegment(work.alliance_id, new_id("seg"), _name(command.name), flt.to_json(), work.now)
    SegmentRepository(work.connection, work.alliance_id).add_segment(segment, actor_id=work.actor.id)
    work.audit(
        "insights.save_segment",
        object_type="segment",
        object_id=segment.segment_id,
        details=segment.definition,
    )
    work.emit("insights.segment_saved", segment.segment_id, segment_id=segment.segment_id)
    return segment
