"""Plausible Chinese names and mainland mobile numbers for demo members (deterministic)."""

from __future__ import annotations

import random
from dataclasses import dataclass

# The most common surnames, roughly by frequency (weights are relative).
SURNAMES = (
    ("王", 72), ("李", 71), ("张", 68), ("刘", 54), ("陈", 47), ("杨", 32), ("黄", 25), ("赵", 23),
    ("吴", 21), ("周", 21), ("徐", 15), ("孙", 15), ("马", 13), ("朱", 13), ("胡", 12), ("郭", 11),
    ("何", 10), ("高", 10), ("林", 10), ("罗", 9), ("郑", 9), ("梁", 8), ("谢", 7), ("宋", 6),
    ("唐", 6), ("许", 6), ("韩", 6), ("冯", 5), ("邓", 5), ("曹", 5), ("彭", 5), ("曾", 5),
    ("肖", 5), ("田", 4), ("董", 4), ("袁", 4), ("潘", 4), ("蒋", 4), ("蔡", 4), ("余", 4),
    ("杜", 4), ("叶", 4), ("程", 4), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3),
    ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3),
    ("汪", 3), ("范", 3), ("金", 3), ("石", 2), ("廖", 2), ("贾", 2), ("夏", 2), ("方", 2),
    ("顾", 2), ("欧阳", 1), ("上官", 1), ("司马", 1),
)  # fmt: skip
GIVEN_FEMALE = "婷静敏丽娟艳芳燕雪琳颖欣怡佳梦雨诗晓玲慧倩洁璐瑶萱涵悦彤婉嘉琪"
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚辉鹏浩宇博文斌俊峰凯晨皓轩睿哲昊然航鑫"
GIVEN_ANY = "子思一嘉雅梓安若欣佳宁晓晨乐天"
# Mobile prefixes of the three carriers (13x, 15x, 17x, 18x, 19x).
PHONE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199",
)  # fmt: skip
REGIONS = ("静安区", "黄浦区", "徐汇区", "长宁区", "普陀区", "浦东新区", "虹口区", "杨浦区")


@dataclass(frozen=True)
class Person:
    name: str
    gender: str  # "female" / "male"
    phone: str  # national number, 11 digits


def person_name(rng: random.Random, gender: str) -> str:
    surname = rng.choices([s for s, _ in SURNAMES], weights=[w for _, w in SURNAMES])[0]
    pool = (GIVEN_FEMALE if gender == "female" else GIVEN_MALE) + GIVEN_ANY
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(pool) for _ in range(length))


def people(rng: random.Random, count: int, *, taken: set[str] | None = None) -> list[Person]:
    """``count`` people with unique phone numbers (also unique against ``taken``)."""
    seen = set(taken or ())
    found: list[Person] = []
    while len(found) < count:
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone in seen:
            continue
        seen.add(phone)
        gender = "female" if rng.random() < 0.56 else "male"
        found.append(Person(person_name(rng, gender), gender, phone))
    return found
