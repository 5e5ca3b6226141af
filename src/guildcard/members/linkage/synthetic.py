"""A labelled synthetic test set: people, and second records of some of them with real-data errors.

Errors, each drawn at random: a homophone picked by the pinyin IME (王伟 -> 王维), the name
written in pinyin (Wang Wei) or with family and given swapped (Wei Wang), a character slip, day
and month swapped, a digit typo (possibly an impossible date), another date format, a changed or
mistyped phone, a +86 prefix, an address typo, and missing fields. ``cluster`` is the label.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from pypinyin import lazy_pinyin

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋艳勇杰娟涛明超霞平刚桂英华玉兰红建国文斌辉鹏飞宇浩然欣怡梓涵子轩思雨晨阳佳琪雪梅海燕志刚永健"
    "婷玲秀云波峰凯俊晓东亮丹萍琳颖慧倩璐瑶嘉豪博睿泽昊天皓宁瑞雅婧蕾薇娅晶莹茜琦诗梦若曦可馨悦彤依诺一鸣子豪"
    "维卫为薇炜威巍蔚玮苇"
)
LATIN_GIVEN = (
    "James",
    "Mary",
    "John",
    "Linda",
    "David",
    "Susan",
    "Peter",
    "Anna",
    "Tom",
    "Emma",
    "Lucas",
    "Sophie",
)
LATIN_FAMILY = (
    "Smith",
    "Brown",
    "Miller",
    "Wilson",
    "Taylor",
    "Martin",
    "Muller",
    "Dubois",
    "Rossi",
    "Tanaka",
)
DISTRICTS = (
    "静安区",
    "黄浦区",
    "徐汇区",
    "长宁区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "浦东新区",
    "闵行区",
    "宝山区",
)
STREETS = (
    "南京西路",
    "愚园路",
    "常德路",
    "延安中路",
    "北京西路",
    "江宁路",
    "武定路",
    "康定路",
    "陕西北路",
    "华山路",
)


@dataclass(frozen=True)
class Person:
    id: str
    cluster: int
    name: str
    birthday: str
    phone: str
    address: str
    id_number: str

    def record(self) -> dict[str, str]:
        return {
            "id": self.id, "name": self.name, "birthday": self.birthday, "phone": self.phone,
            "address": self.address, "id_number": self.id_number,
        }  # fmt: skip


def _homophones() -> dict[str, list[str]]:
    by_sound: dict[str, list[str]] = defaultdict(list)
    for char in dict.fromkeys(GIVEN):
        by_sound[lazy_pinyin(char)[0]].append(char)
    return {c: [o for o in group if o != c] for group in by_sound.values() for c in group if len(group) > 1}


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.homophones = _homophones()
        self.phones: set[str] = set()

    def _phone(self) -> str:
        while True:
            phone = self.rng.choice("3456789") + "".join(self.rng.choices("0123456789", k=9))
            phone = "1" + phone
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def person(self, number: int) -> Person:
        rng = self.rng
        if rng.random() < 0.08:
            name = f"{rng.choice(LATIN_GIVEN)} {rng.choice(LATIN_FAMILY)}"
        else:
            given = "".join(rng.choices(GIVEN, k=1 if rng.random() < 0.3 else 2))
            name = rng.choice(SURNAMES) + given
        year, month, day = rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28)
        room = f"{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
        address = f"上海市{rng.choice(DISTRICTS)}{rng.choice(STREETS)}{rng.randint(1, 999)}号{room}"
        id_number = ""
        if rng.random() < 0.3:
            tail = f"{rng.randint(100, 999)}{rng.choice('0123456789X')}"
            id_number = f"310{rng.randint(100, 115)}{year:04d}{month:02d}{day:02d}{tail}"
        return Person(
            id=f"p{number:07d}",
            cluster=number,
            name=name,
            birthday=f"{year:04d}-{month:02d}-{day:02d}",
            phone=self._phone(),
            address=address,
            id_number=id_number,
        )

    def _name_error(self, name: str) -> str:
        rng = self.rng
        if " " in name:  # Latin: swapped order, a dropped letter, or unchanged
            given, family = name.split(" ", 1)
            return rng.choice(
                [f"{family} {given}", f"{given} {family[:-1]}", f"{given.lower()} {family.lower()}"]
            )
        family, given = name[0], name[1:]
        choice = rng.random()
        if choice < 0.35:
            slips = [i for i, c in enumerate(given) if c in self.homophones]
            if slips:
                i = rng.choice(slips)
                return family + given[:i] + rng.choice(self.homophones[given[i]]) + given[i + 1 :]
        if choice < 0.65:
            pinyin_family = lazy_pinyin(family)[0].capitalize()
            pinyin_given = "".join(lazy_pinyin(given)).capitalize()
            return rng.choice([f"{pinyin_family} {pinyin_given}", f"{pinyin_given} {pinyin_family}"])
        if choice < 0.8:
            return given + family
        return name

    def _birthday_error(self, birthday: str) -> str:
        rng = self.rng
        year, month, day = birthday.split("-")
        choice = rng.random()
        if choice < 0.2 and int(day) <= 12:
            return f"{year}-{day}-{month}"
        if choice < 0.4:
            digits = list(year + month + day)
            i = rng.randrange(4, 8)
            digits[i] = rng.choice("0123456789")
            return "".join(digits[:4]) + "-" + "".join(digits[4:6]) + "-" + "".join(digits[6:])
        if choice < 0.7:
            return rng.choice(
                [f"{year}{month}{day}", f"{year}/{month}/{day}", f"{year}年{int(month)}月{int(day)}日"]
            )
        return birthday

    def _phone_error(self, phone: str) -> str:
        rng = self.rng
        choice = rng.random()
        if choice < 0.15:
            return self._phone()
        if choice < 0.25:
            i = rng.randrange(3, 11)
            return phone[:i] + rng.choice("0123456789") + phone[i + 1 :]
        if choice < 0.4:
            return f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"
        return phone

    def duplicate(self, person: Person, number: int) -> Person:
        rng = self.rng
        address = person.address
        if rng.random() < 0.3:
            i = rng.randrange(3, len(address))
            address = address[:i] + address[i + 1 :]
        return Person(
            id=f"p{number:07d}",
            cluster=person.cluster,
            name=self._name_error(person.name),
            birthday="" if rng.random() < 0.1 else self._birthday_error(person.birthday),
            phone="" if rng.random() < 0.05 else self._phone_error(person.phone),
            address="" if rng.random() < 0.25 else address,
            id_number=person.id_number if rng.random() < 0.7 else "",
        )


def people(count: int, *, duplicate_share: float = 0.2, seed: int = 2026) -> list[Person]:
    """``count`` people plus a second record for about ``duplicate_share`` of them, shuffled."""
    generator = Generator(seed)
    found = [generator.person(n) for n in range(count)]
    extra = [
        generator.duplicate(p, count + i)
        for i, p in enumerate(generator.rng.sample(found, int(count * duplicate_share)))
    ]
    everyone = found + extra
    generator.rng.shuffle(everyone)
    return everyone


@dataclass(frozen=True)
class Quality:
    true_pairs: int
    found_pairs: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(everyone: Iterable[Person], found: Iterable[tuple[str, str]]) -> Quality:
    clusters: dict[int, list[str]] = defaultdict(list)
    for p in everyone:
        clusters[p.cluster].append(p.id)
    truth = {tuple(sorted(pair)) for ids in clusters.values() for pair in combinations(ids, 2)}
    predicted = {tuple(sorted(pair)) for pair in found}
    return Quality(len(truth), len(predicted), len(truth & predicted))
