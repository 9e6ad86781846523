"""Routing rules: who hears about what, decided by a pure function over data.

A rule set is an ordered list of rules plus a default per audience. The first
rule whose match holds decides the receivers; a rule marked ``continue`` adds its
receivers and lets later rules add theirs. When no rule matches, the audience's
default applies, and without one the audience's own Kafka topic.
"""

import re
from datetime import time
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.notifier.notices import Notice

KeyText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:@-]{1,80}$")]
DEPARTMENT = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9]{5,20}$")
MASK = "*" * 16


class ChannelKind(StrEnum):
    """How a notification travels."""

    KAFKA = "kafka"
    WEBHOOK = "webhook"
    EMAIL = "email"
    SMS = "sms"


GROUPED_BY_DEFAULT = {ChannelKind.EMAIL, ChannelKind.SMS}


class QuietHours(BaseModel):
    """A daily span in the receiver's local time when only emergencies get through."""

    model_config = ConfigDict(extra="forbid")

    start: time
    end: time
    utc_offset_minutes: int = Field(default=480, ge=-720, le=840)


class Receiver(BaseModel):
    """One place a notification goes; ``key`` names it stably across rule edits."""

    model_config = ConfigDict(extra="forbid")

    key: KeyText
    channel: ChannelKind
    address: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = None
    language: Literal["zh", "en"] = "zh"
    digest: bool | None = None
    quiet_hours: QuietHours | None = None

    @model_validator(mode="after")
    def _address_fits_channel(self) -> "Receiver":
        checks = {
            ChannelKind.KAFKA: (DEPARTMENT, "a department code"),
            ChannelKind.EMAIL: (EMAIL, "an e-mail address"),
            ChannelKind.SMS: (PHONE, "a phone number"),
        }
        if self.channel in checks:
            pattern, what = checks[self.channel]
            if not pattern.match(self.address):
                raise ValueError(f"address of a {self.channel} receiver must be {what}")
        if self.channel is ChannelKind.WEBHOOK:
            if not self.address.startswith(("http://", "https://")):
                raise ValueError("address of a webhook receiver must be an http(s) URL")
            if self.secret is None:
                raise ValueError("a webhook receiver needs a secret to sign with")
        return self

    @property
    def grouped(self) -> bool:
        """Whether ordinary notifications for this receiver wait for a digest."""
        if self.digest is not None:
            return self.digest
        return self.channel in GROUPED_BY_DEFAULT

    @property
    def endpoint(self) -> str:
        """What a failing delivery occupies: one URL, mail server, gateway or topic."""
        return f"{self.channel}:{self.address}"

    def masked(self) -> "Receiver":
        """This receiver with its secret hidden, for showing rules back."""
        return self.model_copy(update={"secret": MASK if self.secret else None})


class Match(BaseModel):
    """What a notice must have for a rule to apply; an empty list accepts anything."""

    model_config = ConfigDict(extra="forbid")

    event_types: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)
    tiers: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    levels: list[int] = Field(default_factory=list)
    grids: list[str] = Field(default_factory=list)
    villages: list[str] = Field(default_factory=list)
    emergency: bool | None = None

    def holds(self, notice: Notice) -> bool:
        """Whether every stated condition holds for ``notice``."""
        pairs: list[tuple[list[str] | list[int], str | int | None]] = [
            (self.event_types, notice.event_type),
            (self.departments, notice.department),
            (self.tiers, notice.tier),
            (self.categories, notice.category),
            (self.levels, notice.level),
            (self.grids, notice.grid_code),
            (self.villages, notice.village_code),
        ]
        if any(allowed and value not in allowed for allowed, value in pairs):
            return False
        return self.emergency is None or self.emergency == notice.emergency


class Rule(BaseModel):
    """A match and the receivers it sends to."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    rule_id: KeyText
    match: Match = Field(default_factory=Match)
    receivers: list[Receiver] = Field(min_length=1)
    continue_: bool = Field(default=False, alias="continue")
    enabled: bool = True


class RuleSet(BaseModel):
    """Every rule in order, and the receivers of each audience when none matches."""

    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = Field(default_factory=list)
    defaults: dict[str, list[Receiver]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ids_unique(self) -> "RuleSet":
        seen: set[str] = set()
        for rule in self.rules:
            if rule.rule_id in seen:
                raise ValueError(f"rule_id {rule.rule_id} appears twice")
            seen.add(rule.rule_id)
        return self

    def masked(self) -> "RuleSet":
        """The rule set with every secret hidden."""
        return RuleSet(
            rules=[
                rule.model_copy(update={"receivers": [r.masked() for r in rule.receivers]})
                for rule in self.rules
            ],
            defaults={
                audience: [r.masked() for r in receivers]
                for audience, receivers in self.defaults.items()
            },
        )

    def keep_secrets_from(self, stored: "RuleSet") -> "RuleSet":
        """Fill masked secrets from the stored receivers of the same key."""
        known = {r.key: r.secret for r in stored.receivers() if r.secret}

        def fill(receiver: Receiver) -> Receiver:
            if receiver.secret != MASK:
                return receiver
            if receiver.key not in known:
                raise ValueError(f"receiver {receiver.key} has a masked but unknown secret")
            return receiver.model_copy(update={"secret": known[receiver.key]})

        return RuleSet(
            rules=[
                rule.model_copy(update={"receivers": [fill(r) for r in rule.receivers]})
                for rule in self.rules
            ],
            defaults={
                audience: [fill(r) for r in receivers]
                for audience, receivers in self.defaults.items()
            },
        )

    def receivers(self) -> list[Receiver]:
        """Every receiver named anywhere in the set."""
        found = [r for rule in self.rules for r in rule.receivers]
        return found + [r for group in self.defaults.values() for r in group]


def topic_receiver(audience: str) -> Receiver:
    """The receiver every audience has when nothing else is configured: its topic."""
    return Receiver(key=f"topic:{audience}", channel=ChannelKind.KAFKA, address=audience)


def select_receivers(rules: RuleSet, notice: Notice) -> list[Receiver]:
    """The receivers of ``notice``: matching rules in order, else the audience default."""
    chosen: list[Receiver] = []
    matched = False
    for rule in rules.rules:
        if not rule.enabled or not rule.match.holds(notice):
            continue
        matched = True
        chosen.extend(rule.receivers)
        if not rule.continue_:
            break

    if not matched:
        chosen = list(
            rules.defaults.get(notice.audience, [topic_receiver(notice.audience)])
        )

    unique: dict[str, Receiver] = {}
    for receiver in chosen:
        unique.setdefault(receiver.key, receiver)
    return list(unique.values())
