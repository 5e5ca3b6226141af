"""Composition root: builds the adapters once and hands them to entry points.

Contexts add their services here as they land, so that the API, the CLI, jobs and
tests all wire the same things the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Connection

from guildcard.adapters.automation_ports import marketing_consent, schedule_source
from guildcard.adapters.counter_ports import counter_ports
from guildcard.adapters.member_merge import merge_carriers
from guildcard.adapters.member_ports import RegisteredAlliances
from guildcard.adapters.otp_sms import sms_channel, sms_code_sender
from guildcard.adapters.rewards_ports import PlacesFromAlliance, TierFromLoyalty, rewards_ports
from guildcard.adapters.settlement_ports import ContractTermsProvider, CounterMemberSales
from guildcard.alliance.handlers import handlers as alliance_handlers
from guildcard.alliance.services.auth import load_operator, load_staff
from guildcard.alliance.services.base import Deps as AllianceDeps
from guildcard.alliance.services.facade import AllianceServices
from guildcard.alliance.services.passwords import Passwords
from guildcard.auth.cache import ActorCache
from guildcard.auth.tokens import TokenSubject
from guildcard.automation.delivery import Deliver, MessageRouter, deliver_inbox, sms_delivery
from guildcard.automation.handlers import AutomationDeps
from guildcard.automation.handlers import handlers as automation_handlers
from guildcard.automation.handlers.base import ScheduleSource
from guildcard.automation.handlers.rules import run_rules
from guildcard.automation.handlers.webhooks import queue_deliveries
from guildcard.counter.desk_sales import DeskSales
from guildcard.counter.handlers import handlers as counter_handlers
from guildcard.counter.ports import CounterPorts
from guildcard.counter.service import CounterService
from guildcard.db.engine import Database
from guildcard.insights.handlers import handlers as insights_handlers
from guildcard.insights.service import InsightsService
from guildcard.kernel.actors import Actor, ActorKind
from guildcard.kernel.clock import Clock, SystemClock
from guildcard.ledger.handlers import handlers as ledger_handlers
from guildcard.ledger.keys import AesGcmKeyStore, KeyStore
from guildcard.ledger.standalone import LedgerService
from guildcard.loyalty.card_service import CardService
from guildcard.loyalty.handlers import handlers as loyalty_handlers
from guildcard.loyalty.service import LoyaltyService
from guildcard.loyalty.tier_handlers import LoyaltyDeps
from guildcard.loyalty.tier_service import TierService
from guildcard.loyalty.wallet_service import WalletService
from guildcard.members.actors import load_member_actor
from guildcard.members.counter_lookup import CounterLookup
from guildcard.members.domain.otp import OtpPolicy
from guildcard.members.errors import MemberNotFound
from guildcard.members.handlers import handlers as members_handlers
from guildcard.members.ports import AllianceDirectory, AnyAllianceDirectory, CodeSender
from guildcard.members.senders import build_code_sender
from guildcard.members.services import MembersService
from guildcard.members.services.base import MembersDeps
from guildcard.pipeline import CommandBus
from guildcard.pipeline.group import GroupCommitter
from guildcard.privacy.cipher import FieldCipher, LookupHasher
from guildcard.rewards.campaign_events import RewardsListener
from guildcard.rewards.campaign_service import CampaignService
from guildcard.rewards.coupon_service import CouponService
from guildcard.rewards.handlers import handlers as rewards_handlers
from guildcard.rewards.handlers.coupons import CouponDeps
from guildcard.rewards.handlers.mall_deps import RewardsDeps
from guildcard.settings import Settings, load_settings
from guildcard.settlement.handlers import handlers as settlement_handlers
from guildcard.settlement.ports import MemberSalesSource, TermsProvider
from guildcard.throttle import Throttle

# Turns a token's subject into a full actor (roles, stores), or None when the actor is gone
# or suspended. Each context registers the loaders for the kinds of actor it owns.
ActorLoader = Callable[[Connection, TokenSubject], Actor | None]
# Authenticates a bearer credential that is not a session token (e.g. a store's POS API key).
CredentialAuthenticator = Callable[[Connection, str], Actor | None]


@dataclass
class Container:
    settings: Settings
    database: Database
    clock: Clock
    cipher: FieldCipher
    lookup: LookupHasher
    throttle: Throttle
    ledger_keys: KeyStore  # seals each alliance's checkpoint signing key
    actor_loaders: dict[ActorKind, ActorLoader] = field(default_factory=dict)
    credential_authenticators: list[CredentialAuthenticator] = field(default_factory=list)
    # Called with the credential after it authenticated (e.g. stamp a POS key's last use).
    credential_touchers: list[Callable[[str], None]] = field(default_factory=list)
    alliance: AllianceServices | None = None
    actor_cache: ActorCache = field(default_factory=ActorCache)
    # Members ask the alliance context which alliances exist (wired in ``bootstrap``).
    alliance_directory: AllianceDirectory = field(default_factory=AnyAllianceDirectory)
    code_sender: CodeSender | None = None
    otp_policy: OtpPolicy = field(default_factory=OtpPolicy)
    # The counter reaches members, alliance, settlement and audit through ports (counter/ports.py),
    # by default the adapters in guildcard.adapters.counter_ports.
    counter_ports: CounterPorts | None = None
    counter_group_commit: bool = False  # batch concurrent commits into one transaction
    # Settlement's ports: contract terms (alliance context) and member sales (counter).
    settlement_terms: TermsProvider | None = None
    settlement_sales: MemberSalesSource | None = None

    @cached_property
    def bus(self) -> CommandBus:
        """The one command bus every context's writes run through."""
        groups = [
            alliance_handlers,
            members_handlers,
            loyalty_handlers,
            ledger_handlers,
            counter_handlers,
            rewards_handlers,
            insights_handlers,
            settlement_handlers,
            automation_handlers,
        ]
        bus = CommandBus(self.database, self.clock, groups, committer=self.counter_committer)
        # The outbox's consumers, in the order they see each dispatched batch.
        bus.provide(
            "automation",
            AutomationDeps(
                allow_local_http=self.settings.is_development,
                consumers=[queue_deliveries, run_rules],
                marketing_consent=marketing_consent,
                cipher=self.cipher,
                schedules=self.automation_schedules,
            ),
        )
        # Accounts, keys, roles, stores and sessions change only by alliance and members commands.
        bus.after_commands_of(("alliance", "members"), self.actor_cache.clear)
        bus.provide("loyalty", LoyaltyDeps(lookup=self.lookup))
        return bus

    @cached_property
    def automation_schedules(self) -> ScheduleSource:
        """Who each schedule trigger reaches now (the schedule job and the dry run ask it)."""
        return schedule_source(self.lookup)

    def message_router(self) -> MessageRouter:
        """The worker's message channels: the inbox always; SMS when a provider and its notice
        template are configured (otherwise an SMS message fails, retries, then is a dead letter)."""
        channels: dict[str, Deliver] = {"inbox": deliver_inbox}
        sms = sms_channel(self.settings)
        template = self.settings.sms_notice_template
        if sms is not None and template:
            channels["sms"] = sms_delivery(sms, template=template, phone_of=self._phone)
        return MessageRouter(channels=channels)

    def _phone(self, alliance_id: str, member_id: str) -> str | None:
        try:
            return self.members.profiles.get(alliance_id=alliance_id, member_id=member_id).phone
        except MemberNotFound:
            return None

    @cached_property
    def members(self) -> MembersService:
        sender = self.code_sender or build_code_sender(self.settings, sms=sms_code_sender(self.settings))
        self.code_sender = sender
        deps = MembersDeps(
            database=self.database,
            clock=self.clock,
            cipher=self.cipher,
            lookup=self.lookup,
            throttle=self.throttle,
            sender=sender,
            directory=self.alliance_directory,
            policy=self.otp_policy,
            fixed_otp=self.settings.fixed_otp if self.settings.is_development else None,
            bus=self.bus,
            carriers=merge_carriers(),
        )
        self.bus.provide("members", deps)
        return MembersService(deps)

    @cached_property
    def loyalty(self) -> LoyaltyService:
        return LoyaltyService(self.database, self.clock, bus=self.bus)

    @cached_property
    def tiers(self) -> TierService:
        return TierService(self.database, self.clock, bus=self.bus)

    @cached_property
    def wallets(self) -> WalletService:
        return WalletService(self.database, self.clock, bus=self.bus, throttle=self.throttle)

    @cached_property
    def cards(self) -> CardService:
        return CardService(self.database, self.clock, bus=self.bus)

    @cached_property
    def counter_committer(self) -> GroupCommitter | None:
        return GroupCommitter(self.database) if self.counter_group_commit else None

    @cached_property
    def counter(self) -> CounterService:
        # Tests and benchmarks may put their own ports in ``counter_ports`` before first use.
        ports = self.counter_ports or counter_ports(CounterLookup(self.cipher, self.lookup))
        return CounterService(self.database, self.clock, ports, bus=self.bus)

    @cached_property
    def desk_sales(self) -> DeskSales:
        """Counter top-ups and card sales over the POS API."""
        return DeskSales(self.counter, self.members.member_codes, self.wallets, self.cards)

    @cached_property
    def coupons(self) -> CouponService:
        return CouponService(self.database, self.clock, self.bus, places=PlacesFromAlliance())

    @cached_property
    def reward_campaigns(self) -> CampaignService:
        return CampaignService(self.database, self.clock, self.bus)

    @cached_property
    def insights(self) -> InsightsService:
        return InsightsService(self.database, self.bus)

    def ledger(self) -> LedgerService:
        """The ledger, each call its own command (CLI, jobs)."""
        return self._ledger

    @cached_property
    def _ledger(self) -> LedgerService:
        return LedgerService(self.database, clock=self.clock, keys=self.ledger_keys, bus=self.bus)

    def close(self) -> None:
        if self.counter_group_commit and self.counter_committer is not None:
            self.counter_committer.close()
        self.database.dispose()


def bootstrap(
    settings: Settings | None = None, *, clock: Clock | None = None, passwords: Passwords | None = None
) -> Container:
    settings = settings or load_settings()
    settings.check_safe()
    container = Container(
        settings=settings,
        database=Database(settings.resolved_database_url),
        clock=clock or SystemClock(),
        cipher=FieldCipher(settings.secret("data_key")),
        lookup=LookupHasher(settings.secret("lookup_key")),
        throttle=Throttle(settings.rate_limit_storage),
        ledger_keys=AesGcmKeyStore(settings.secret("data_key")),
        code_sender=build_code_sender(settings, sms=sms_code_sender(settings)),
    )
    container.counter_group_commit = settings.group_commit and not container.database.is_sqlite
    container.actor_loaders[ActorKind.MEMBER] = load_member_actor
    _wire_alliance(container, passwords or Passwords())
    # Coupons (rewards) read members' facts and stores through their ports.
    # The mall, check-in and lottery: addresses sealed, draw records signed with the alliance's key.
    # Tier audiences and tier-only items read loyalty's tier in effect.
    tier_of = TierFromLoyalty(container.clock)
    coupons = CouponDeps(ports=rewards_ports(CounterLookup(container.cipher, container.lookup), tier_of))
    container.bus.provide(
        "rewards",
        RewardsDeps(cipher=container.cipher, keys=container.ledger_keys, tier_of=tier_of, coupons=coupons),
    )
    # Reward campaigns and referrals hear registrations, purchases and refunds after commit.
    container.bus.subscribe(RewardsListener(container.database, container.bus))
    container.settlement_terms = ContractTermsProvider()
    container.settlement_sales = CounterMemberSales()
    return container


def _wire_alliance(container: Container, passwords: Passwords) -> None:
    deps = AllianceDeps(
        database=container.database,
        clock=container.clock,
        cipher=container.cipher,
        lookup=container.lookup,
        throttle=container.throttle,
        passwords=passwords,
        ledger_keys=container.ledger_keys,
        bus=container.bus,
    )
    container.bus.provide("alliance", deps)
    container.alliance = AllianceServices.build(deps)
    container.alliance_directory = RegisteredAlliances(container.database)
    container.actor_loaders[ActorKind.OPERATOR] = load_operator
    container.actor_loaders[ActorKind.STAFF] = load_staff
    container.credential_authenticators.append(container.alliance.pos_keys.authenticate)
    container.credential_touchers.append(container.alliance.pos_keys.touch)
