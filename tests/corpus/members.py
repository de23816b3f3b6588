"""The fictional community the corpus is written for: sectors, members, their registered
assets, and the victim vocabulary each member's reports use without registering it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

SECTORS: Mapping[str, str] = {
    "energy": "Energy (電力・ガス)",
    "manufacturing": "Manufacturing (製造)",
    "shipbuilding": "Shipbuilding and shipping (造船・海運)",
}

# Asset kinds by their field in the admin API. The last four are added by the sanitizer's
# new registry; until the API knows them it answers 422 and the corpus test says so.
BASE_KINDS = (
    "names",
    "dns_domains",
    "email_domains",
    "ip_ranges",
    "ad_domains",
    "hostname_patterns",
    "terms",
)
NEW_KINDS = ("sites", "group_companies", "teams", "id_formats")
KINDS = BASE_KINDS + NEW_KINDS
# Kinds whose registered strings are themselves searchable values; ranges, globs and id
# templates are checked through the concrete values the bundles plant.
LITERAL_KINDS = (
    "names",
    "dns_domains",
    "email_domains",
    "ad_domains",
    "terms",
    "sites",
    "group_companies",
    "teams",
)


@dataclass(frozen=True)
class Person:
    """One of a member's people as reports name them."""

    en: str  # "Kenji Tanaka"
    ja: str  # "田中 健二"
    logon: str  # "k.tanaka"
    mail: str  # "k.tanaka@setouchi-power.co.jp"
    role: str = ""  # "SOC analyst", "経理部"

    @property
    def ja_family(self) -> str:
        return self.ja.split(" ")[0]


@dataclass(frozen=True)
class Vocabulary:
    """What a member's reports reveal about it that it never registered."""

    people: tuple[Person, ...]
    sites: tuple[str, ...]  # plants, works, offices, lines (EN and JA)
    addresses: tuple[str, ...]  # towns and street addresses
    teams: tuple[str, ...]
    case_ids: tuple[str, ...]
    shares: tuple[str, ...]
    archives: tuple[str, ...]
    projects: tuple[str, ...]
    mail_gateways: tuple[str, ...]
    hosts: tuple[str, ...]
    internal_ips: tuple[str, ...]
    sandbox: tuple[str, ...] = ()  # the member's analysis tooling and VM names


@dataclass(frozen=True)
class Member:
    slug: str
    sector: str
    display_name: str
    assets: Mapping[str, tuple[str, ...]]
    vocab: Vocabulary
    mail_header_prefix: str = field(default="")  # "X-SEPCO-"

    def registered(self, kind: str) -> tuple[str, ...]:
        return self.assets.get(kind, ())

    def literal_assets(self) -> Iterator[str]:
        """Registered strings that must never be seen, whatever the bundle."""
        for kind in LITERAL_KINDS:
            yield from self.registered(kind)


SETOUCHI = Member(
    slug="setouchi-power",
    sector="energy",
    display_name="Setouchi Electric Power Co., Inc.",
    mail_header_prefix="X-SEPCO-",
    assets={
        "names": (
            "Setouchi Electric Power Co., Inc.",
            "Setouchi Power",
            "瀬戸内電力株式会社",
            "瀬戸内電力",
        ),
        "dns_domains": ("setouchi-power.co.jp", "sepco-grid.jp"),
        "email_domains": ("setouchi-power.co.jp",),
        "ip_ranges": ("160.248.12.0/24", "2001:df3:9a00::/48"),
        "ad_domains": ("SEPCO", "corp.setouchi-power.co.jp"),
        "hostname_patterns": ("sep-ws-[0-9][0-9][0-9][0-9]", "sep-*-srv[0-9]*"),
        "sites": ("Sakaide Power Station", "坂出発電所"),
        "teams": ("SEPCO-CSIRT",),
        "id_formats": ("SEPCO-CSIRT-####-####",),
    },
    vocab=Vocabulary(
        people=(
            Person(
                "Kenji Tanaka",
                "田中 健二",
                "k.tanaka",
                "k.tanaka@setouchi-power.co.jp",
                "SOC analyst",
            ),
            Person(
                "Yumi Okamoto", "岡本 由美", "y.okamoto", "y.okamoto@setouchi-power.co.jp", "経理部"
            ),
            Person(
                "Hiroshi Nishiyama",
                "西山 浩",
                "h.nishiyama",
                "h.nishiyama@setouchi-power.co.jp",
                "情報システム部 課長",
            ),
            Person(
                "Aya Fujimura",
                "藤村 彩",
                "a.fujimura",
                "a.fujimura@setouchi-power.co.jp",
                "資材調達部",
            ),
        ),
        sites=(
            "Reihoku Substation",
            "Mizushima Control Center",
            "水島給電指令所",
            "Marugame Branch Office",
            "丸亀支社",
        ),
        addresses=(
            "2-1-5 Bancho, Takamatsu, Kagawa 760-0017",
            "香川県高松市番町二丁目1番5号",
            "Takamatsu",
            "Sakaide",
        ),
        teams=("Grid Security Operations Center", "系統セキュリティ運用センター"),
        case_ids=("SEPCO-CSIRT-2026-0412", "SEPCO-CSIRT-2026-0398", "REQ-88231"),
        shares=(r"\\sep-fs-srv01\keiri$", r"\\sep-fs-srv01\shizai\2026"),
        archives=("keiri_2026Q3_shiharai.zip", "kyokyu-keikaku-FY2027.xlsx"),
        projects=("Project Kurenai", "紅プロジェクト"),
        mail_gateways=("mgw01.setouchi-power.co.jp", "sep-mx-srv02.corp.setouchi-power.co.jp"),
        hosts=("sep-ws-0417", "sep-ws-1123", "sep-dc-srv01", "sep-fs-srv01", "sep-av-srv3"),
        internal_ips=("10.41.7.23", "10.41.0.5", "160.248.12.34", "2001:df3:9a00:12::1f"),
        sandbox=("SEPCO-SBX-W10-07", "Cuckoo 2.0.7 (sep-sbx-srv1)"),
    ),
)

KISOGAWA = Member(
    slug="kisogawa-gas",
    sector="energy",
    display_name="Kisogawa Gas Co., Ltd.",
    mail_header_prefix="X-KGAS-",
    assets={
        "names": ("Kisogawa Gas Co., Ltd.", "Kisogawa Gas", "木曽川ガス株式会社", "木曽川ガス"),
        "dns_domains": ("kisogawa-gas.co.jp",),
        "email_domains": ("kisogawa-gas.co.jp", "kgas-mail.jp"),
        "ip_ranges": ("153.127.64.0/22",),
        "ad_domains": ("KGAS",),
        "hostname_patterns": ("kg-pc-???", "kg-*-fs*"),
    },
    vocab=Vocabulary(
        people=(
            Person(
                "Takeshi Mori", "森 武", "t.mori", "t.mori@kisogawa-gas.co.jp", "情報セキュリティ室"
            ),
            Person("Naoko Hayashi", "林 直子", "n.hayashi", "n.hayashi@kgas-mail.jp", "営業部"),
            Person(
                "Ichiro Suzuki", "鈴木 一郎", "i.suzuki", "i.suzuki@kisogawa-gas.co.jp", "経理部"
            ),
        ),
        sites=(
            "Chita LNG Terminal",
            "知多LNG基地",
            "Ichinomiya Service Center",
            "一宮サービスセンター",
        ),
        addresses=(
            "3-8 Sakae 2-chome, Naka-ku, Nagoya 460-0008",
            "名古屋市中区栄二丁目3番8号",
            "Ichinomiya",
        ),
        teams=("KGAS-SOC", "情報セキュリティ室"),
        case_ids=("KG-SEC-26-117", "KG-SEC-26-121"),
        shares=(r"\\kg-hq-fs01\eigyo", r"\\kg-hq-fs01\keiri\seikyu"),
        archives=("gas_ryokin_tekiyo_2026.xlsx", "eigyo_meibo_tokai.zip"),
        projects=("Project Hinoki",),
        mail_gateways=("smtp-gw1.kgas-mail.jp",),
        hosts=("kg-pc-031", "kg-pc-114", "kg-hq-fs01", "kg-dmz-fs2"),
        internal_ips=("172.20.14.31", "153.127.65.10"),
        sandbox=("KGAS-ANALYSIS-VM3",),
    ),
)

MIKAWA = Member(
    slug="mikawa-seiki",
    sector="manufacturing",
    display_name="Mikawa Seiki Kogyo K.K.",
    mail_header_prefix="X-MSKK-",
    assets={
        "names": ("Mikawa Seiki Kogyo K.K.", "Mikawa Seiki", "三河精機工業株式会社", "三河精機"),
        "dns_domains": ("mikawa-seiki.co.jp", "mskk-global.com"),
        "email_domains": ("mikawa-seiki.co.jp",),
        "ip_ranges": ("61.206.118.0/25",),
        "ad_domains": ("MSKK", "ad.mikawa-seiki.co.jp"),
        "hostname_patterns": ("msk-[a-z][a-z]-pc[0-9]*",),
        "group_companies": ("Mikawa Seiki Logistics Co., Ltd.", "三河精機ロジスティクス株式会社"),
        "sites": ("Toyohashi Works", "豊橋工場"),
    },
    vocab=Vocabulary(
        people=(
            Person(
                "Makoto Ishikawa",
                "石川 誠",
                "m.ishikawa",
                "m.ishikawa@mikawa-seiki.co.jp",
                "品質保証部 部長",
            ),
            Person("Emi Kondo", "近藤 恵美", "e.kondo", "e.kondo@mikawa-seiki.co.jp", "購買部"),
            Person(
                "Shota Hirano", "平野 翔太", "s.hirano", "s.hirano@mikawa-seiki.co.jp", "MSKK-CERT"
            ),
        ),
        sites=("Gamagori Plant", "蒲郡工場", "Line 7 (die casting)", "第7ダイカストライン"),
        addresses=(
            "1-12 Akemi-cho, Toyohashi, Aichi 441-8074",
            "愛知県豊橋市明海町1-12",
            "Gamagori",
        ),
        teams=("MSKK-CERT",),
        case_ids=("MSKK-IR-2026-033", "CHG-55190"),
        shares=(r"\\msk-fs01\kobai\torihikisaki", r"\\msk-fs01\hinsho"),
        archives=("kanagata_zumen_rev12.zip", "torihikisaki_list_2026.xlsx"),
        projects=("Project Kazaguruma", "風車プロジェクト"),
        mail_gateways=("edge-mta.mikawa-seiki.co.jp",),
        hosts=("msk-qa-pc014", "msk-pu-pc203", "msk-fs01"),
        internal_ips=("192.168.70.14", "61.206.118.20"),
        sandbox=("MSKK-CAPE-W11",),
    ),
)

NANIWA = Member(
    slug="naniwa-chemical",
    sector="manufacturing",
    display_name="Naniwa Chemical Industries, Ltd.",
    mail_header_prefix="X-NC-",
    assets={
        "names": (
            "Naniwa Chemical Industries, Ltd.",
            "Naniwa Chemical",
            "浪速化学工業株式会社",
            "浪速化学",
        ),
        "dns_domains": ("naniwa-chem.co.jp",),
        "email_domains": ("naniwa-chem.co.jp", "nc.naniwa-chem.co.jp"),
        "ip_ranges": ("202.214.88.0/24",),
        "ad_domains": ("NANIWA",),
        "hostname_patterns": ("nc-*-[0-9][0-9]",),
        "teams": ("NC-SIRT",),
        "id_formats": ("INC-######",),
    },
    vocab=Vocabulary(
        people=(
            Person(
                "Daisuke Yamamoto",
                "山本 大輔",
                "d.yamamoto",
                "d.yamamoto@naniwa-chem.co.jp",
                "営業部 課長",
            ),
            Person(
                "Kaori Inoue", "井上 香織", "k.inoue", "k.inoue@nc.naniwa-chem.co.jp", "NC-SIRT"
            ),
        ),
        sites=("Sakai Plant", "堺工場", "Senboku Research Center", "泉北研究所"),
        addresses=(
            "4-2-7 Chikko-Shinmachi, Nishi-ku, Sakai, Osaka 592-8331",
            "大阪府堺市西区築港新町4-2-7",
        ),
        teams=("NC-SIRT",),
        case_ids=("INC-204417", "INC-204431"),
        shares=(r"\\nc-fs-01\eigyo\mitsumori",),
        archives=("mitsumori_MSKK_2026-11.pdf",),
        projects=("Project Shiosai",),
        mail_gateways=("mx1.naniwa-chem.co.jp",),
        hosts=("nc-sales-12", "nc-fs-01"),
        internal_ips=("10.88.3.12", "202.214.88.41"),
    ),
)

IMARI = Member(
    slug="imari-zosen",
    sector="shipbuilding",
    display_name="Imari Shipbuilding & Engineering Co., Ltd.",
    mail_header_prefix="X-IMZ-",
    assets={
        "names": (
            "Imari Shipbuilding & Engineering Co., Ltd.",
            "Imari Zosen",
            "伊万里造船株式会社",
            "伊万里造船",
        ),
        "dns_domains": ("imari-zosen.co.jp",),
        "email_domains": ("imari-zosen.co.jp",),
        "ip_ranges": ("114.179.20.0/24",),
        "ad_domains": ("IMZ",),
        "hostname_patterns": ("imz-*",),
    },
    vocab=Vocabulary(
        people=(
            Person("Ryota Matsuo", "松尾 亮太", "r.matsuo", "r.matsuo@imari-zosen.co.jp", "設計部"),
            Person(
                "Sachiko Ogawa",
                "小川 幸子",
                "s.ogawa",
                "s.ogawa@imari-zosen.co.jp",
                "情報システム課",
            ),
            Person(
                "Kenta Noguchi",
                "野口 健太",
                "k.noguchi",
                "k.noguchi@imari-zosen.co.jp",
                "IMZ-CSIRT",
            ),
        ),
        sites=(
            "Imari No.2 Dock",
            "伊万里第二ドック",
            "Kuranashi Shipyard",
            "倉無造船所",
            "Hull Design Office",
            "船殻設計室",
        ),
        addresses=("1180-3 Kuranashi, Imari, Saga 848-0121", "佐賀県伊万里市倉無1180-3"),
        teams=("IMZ-CSIRT",),
        case_ids=("IMZ-CSIRT-2026-019", "IMZ-HD-7731"),
        shares=(r"\\imz-cad-nas\hull\S-1288",),
        archives=("S-1288_general_arrangement.dwg", "hull_block_schedule_S1288.xlsx"),
        projects=("Hull S-1288", "S-1288番船"),
        mail_gateways=("imz-mgw01.imari-zosen.co.jp",),
        hosts=("imz-cad-ws17", "imz-cad-nas", "imz-dc01"),
        internal_ips=("10.12.40.17", "114.179.20.9"),
    ),
)

GENKAI = Member(
    slug="genkai-kaiun",
    sector="shipbuilding",
    display_name="Genkai Kaiun K.K.",
    mail_header_prefix="X-GK-",
    assets={
        "names": ("Genkai Kaiun K.K.", "Genkai Shipping", "玄海海運株式会社", "玄海海運"),
        "dns_domains": ("genkai-kaiun.co.jp",),
        "email_domains": ("genkai-kaiun.co.jp",),
        "ip_ranges": ("210.130.140.0/24",),
        "ad_domains": ("GENKAI",),
        "hostname_patterns": ("gk-*",),
    },
    vocab=Vocabulary(
        people=(
            Person(
                "Yosuke Hamada", "浜田 洋介", "y.hamada", "y.hamada@genkai-kaiun.co.jp", "海務部"
            ),
            Person(
                "Mika Taniguchi",
                "谷口 美香",
                "m.taniguchi",
                "m.taniguchi@genkai-kaiun.co.jp",
                "総務課",
            ),
        ),
        sites=("Hakata Operations Center", "博多運航センター", "MV Genkai Maru No.8", "第八玄海丸"),
        addresses=(
            "2-14-1 Chikko-Honmachi, Hakata-ku, Fukuoka 812-0021",
            "福岡市博多区築港本町2-14-1",
        ),
        teams=("GK-SOC",),
        case_ids=("GK-SOC-2026-044",),
        shares=(r"\\gk-file01\kaimu\unko",),
        archives=("unko_keikaku_2026-12.xlsx",),
        projects=("Project Tsushima Link",),
        mail_gateways=("gk-relay1.genkai-kaiun.co.jp",),
        hosts=("gk-ops-pc22", "gk-file01"),
        internal_ips=("10.30.2.22", "210.130.140.17"),
    ),
)

MEMBERS: tuple[Member, ...] = (SETOUCHI, KISOGAWA, MIKAWA, NANIWA, IMARI, GENKAI)
BY_SLUG: Mapping[str, Member] = {m.slug: m for m in MEMBERS}


def sector_members(sector: str) -> tuple[Member, ...]:
    return tuple(m for m in MEMBERS if m.sector == sector)


def owner_of(value: str) -> Member | None:
    """The member whose registered literal assets include ``value`` (case-insensitive)."""
    folded = value.casefold()
    for m in MEMBERS:
        if any(a.casefold() == folded for a in m.literal_assets()):
            return m
    return None
