"""The demo district's merchants: trades, stores, contract terms and what a visit costs."""

from __future__ import annotations

from dataclasses import dataclass

from guildcard.alliance.domain.model import TradeCategory

ALLIANCE_CODE = "jingan-demo"
ALLIANCE_NAME = "静安寺商圈联盟"
CITY = "上海"

# The alliance's trades (the application form picks one).
TRADES = (
    TradeCategory("dining", "火锅/餐饮"),
    TradeCategory("tea", "奶茶/茶饮"),
    TradeCategory("coffee", "咖啡"),
    TradeCategory("bakery", "烘焙"),
    TradeCategory("cinema", "影院"),
    TradeCategory("ktv", "KTV"),
    TradeCategory("fitness", "健身"),
    TradeCategory("beauty", "美容美发"),
    TradeCategory("books", "书店"),
    TradeCategory("home", "家居"),
    TradeCategory("kids", "儿童乐园"),
    TradeCategory("apparel", "服装"),
)


@dataclass(frozen=True)
class StoreSpec:
    name: str
    address: str
    latitude: str
    longitude: str


@dataclass(frozen=True)
class MerchantSpec:
    slug: str  # staff logins start with it
    name: str
    trade: str  # a TRADES code
    stores: tuple[StoreSpec, ...]
    # Contract: points per yuan, issue price and reimbursement (fen per point), commission rate,
    # member discount, entry fee (fen).
    terms: tuple[str, str, str, str, str, int]
    ticket_yuan: tuple[int, int, int]  # low, most common, high bill of one visit
    traffic: float  # relative number of visits per day
    hours: str  # an HOURS profile


def _store(name: str, address: str, lat: str, lng: str) -> StoreSpec:
    return StoreSpec(name, f"上海市静安区{address}", lat, lng)


MERCHANTS = (
    MerchantSpec("hotpot", "蜀香阁火锅", "dining",
                 (_store("蜀香阁火锅 静安寺店", "南京西路1618号5楼", "31.2236", "121.4466"),
                  _store("蜀香阁火锅 愚园路店", "愚园路68号2楼", "31.2252", "121.4431")),
                 ("1", "1.0", "0.9", "0.03", "0.05", 200000), (90, 220, 600), 8, "meal"),
    MerchantSpec("benbang", "弄堂里本帮菜", "dining",
                 (_store("弄堂里本帮菜 华山路店", "华山路228号", "31.2218", "121.4412"),),
                 ("1", "1.0", "0.9", "0.03", "0.08", 100000), (60, 160, 500), 5, "meal"),
    MerchantSpec("teatime", "茶语时光", "tea",
                 (_store("茶语时光 静安寺店", "南京西路1699号B1", "31.2229", "121.4457"),
                  _store("茶语时光 常德路店", "常德路195号", "31.2268", "121.4489"),
                  _store("茶语时光 江宁路店", "江宁路428号", "31.2331", "121.4510")),
                 ("2", "0.6", "0.5", "0.02", "0", 50000), (15, 28, 90), 14, "tea"),
    MerchantSpec("coffee", "拾光咖啡", "coffee",
                 (_store("拾光咖啡 延安中路店", "延安中路1238号", "31.2205", "121.4480"),
                  _store("拾光咖啡 铜仁路店", "铜仁路90号", "31.2284", "121.4522")),
                 ("2", "0.7", "0.6", "0.02", "0", 50000), (18, 32, 120), 12, "coffee"),
    MerchantSpec("bakery", "麦香烘焙坊", "bakery",
                 (_store("麦香烘焙坊 胶州路店", "胶州路273号", "31.2297", "121.4402"),
                  _store("麦香烘焙坊 北京西路店", "北京西路1701号", "31.2301", "121.4470")),
                 ("1", "0.8", "0.7", "0.03", "0.05", 50000), (15, 45, 260), 9, "bakery"),
    MerchantSpec("cinema", "光影国际影城", "cinema",
                 (_store("光影国际影城 静安寺店", "南京西路1618号6楼", "31.2237", "121.4467"),),
                 ("1", "0.9", "0.8", "0.02", "0.10", 300000), (45, 110, 320), 6, "cinema"),
    MerchantSpec("ktv", "麦浪KTV", "ktv",
                 (_store("麦浪KTV 万航渡路店", "万航渡路318号3楼", "31.2263", "121.4392"),),
                 ("2", "0.8", "0.7", "0.04", "0.12", 200000), (150, 380, 1200), 3, "ktv"),
    MerchantSpec("fitness", "力行健身", "fitness",
                 (_store("力行健身 静安寺店", "华山路2号4楼", "31.2228", "121.4448"),
                  _store("力行健身 江宁路店", "江宁路1018号", "31.2355", "121.4498")),
                 ("1", "1.0", "0.8", "0.05", "0.05", 100000), (40, 120, 3600), 4, "fitness"),
    MerchantSpec("salon", "悦己美发沙龙", "beauty",
                 (_store("悦己美发沙龙 愚园路店", "愚园路172号", "31.2249", "121.4422"),
                  _store("悦己美发沙龙 延安中路店", "延安中路1076号", "31.2212", "121.4503")),
                 ("2", "0.9", "0.8", "0.05", "0.10", 100000), (68, 198, 1280), 3, "beauty"),
    MerchantSpec("books", "静读书房", "books",
                 (_store("静读书房 静安寺店", "南京西路1788号", "31.2225", "121.4440"),),
                 ("1", "1.0", "0.9", "0.02", "0.05", 0), (30, 88, 420), 3, "retail"),
    MerchantSpec("home", "栖木家居", "home",
                 (_store("栖木家居 静安嘉里店", "南京西路1515号L3", "31.2246", "121.4478"),),
                 ("0.5", "1.2", "1.0", "0.03", "0.03", 300000), (99, 480, 6800), 1.5, "retail"),
    MerchantSpec("kids", "童趣岛儿童乐园", "kids",
                 (_store("童趣岛儿童乐园 静安寺店", "南京西路1618号7楼", "31.2238", "121.4468"),),
                 ("1", "0.9", "0.8", "0.04", "0.08", 100000), (80, 168, 680), 2.5, "kids"),
    MerchantSpec("apparel", "衣见倾心", "apparel",
                 (_store("衣见倾心 久光店", "南京西路1618号3楼", "31.2235", "121.4465"),
                  _store("衣见倾心 嘉里店", "南京西路1515号L2", "31.2245", "121.4477")),
                 ("1", "1.0", "0.9", "0.04", "0.10", 200000), (129, 399, 2600), 2.5, "retail"),
)  # fmt: skip

# Local hours of the day and their relative weights, per kind of trade.
HOURS = {
    "meal": {11: 4, 12: 6, 13: 3, 17: 4, 18: 8, 19: 8, 20: 5, 21: 2},
    "tea": {10: 2, 11: 3, 12: 4, 13: 4, 14: 5, 15: 6, 16: 5, 17: 4, 18: 4, 19: 4, 20: 3, 21: 2},
    "coffee": {8: 7, 9: 8, 10: 5, 11: 3, 12: 2, 13: 4, 14: 5, 15: 4, 16: 3, 17: 2, 18: 1},
    "bakery": {8: 4, 9: 3, 10: 2, 12: 2, 15: 2, 16: 3, 17: 5, 18: 6, 19: 4, 20: 2},
    "cinema": {10: 1, 12: 2, 13: 3, 14: 3, 15: 3, 16: 3, 17: 3, 18: 4, 19: 7, 20: 6, 21: 4, 22: 2},
    "ktv": {14: 1, 16: 1, 18: 3, 19: 5, 20: 7, 21: 7, 22: 5, 23: 3},
    "fitness": {7: 5, 8: 4, 9: 2, 12: 2, 18: 6, 19: 7, 20: 5, 21: 2},
    "beauty": {10: 2, 11: 3, 13: 4, 14: 5, 15: 5, 16: 5, 17: 4, 18: 3, 19: 3, 20: 2},
    "retail": {10: 1, 11: 2, 12: 2, 13: 3, 14: 4, 15: 4, 16: 4, 17: 3, 18: 3, 19: 4, 20: 3, 21: 1},
    "kids": {10: 4, 11: 4, 12: 2, 13: 3, 14: 5, 15: 5, 16: 4, 17: 3, 18: 1},
}
