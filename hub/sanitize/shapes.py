"""The expressions and word lists victim-vocabulary learning reads (see `vocabulary`).

Every expression is linear on attacker-controlled text: suffix words are found first and the
name before them is read backwards over a bounded window; repetitions are possessive or
bounded, and those that may start a match are anchored by a look-behind on their class.
"""

from __future__ import annotations

import re

from wordfreq import zipf_frequency

# Properties that never hold the report's own prose.
SKIP_KEYS = frozenset(
    "id type spec_version created modified pattern pattern_type pattern_version hashes  "
    "payload_bin valid_from valid_until lang encoding definition_type identity_class  "
    "relationship_type".split()
)
_CJK = "\u3005\u30a0-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f"
CJK_RE = re.compile(f"[{_CJK}]")
COMMON_ZIPF = 4.0
ATTACKER_TYPES = frozenset(
    "malware tool threat-actor intrusion-set campaign attack-pattern infrastructure  "
    "vulnerability".split()
)

# --- sites -----------------------------------------------------------------------------
_SITE_WORDS = (
    "Works|Plant|Power Station|Power Plant|Shipyard|Dockyard|Refinery|Factory|Mill|"
    "Steelworks|Smelter|Substation|Research Center|Research Centre|Research Laboratory|"
    "Research Institute|R&D Center|R&D Centre|Data Center|Data Centre|Branch Office|"
    "Sales Office|Regional Office|Head Office|Branch|Headquarters|Distribution Center|"
    "Distribution Centre|Depot|Warehouse|Yard|Campus|Hospital|LNG Terminal|Oil Terminal|"
    "Complex|Generating Station|Control Center|Control Centre|Operations Center|Dam"
)
# Capitalised as a name ("Mizushima Works"), or an unambiguous lower-case site word
# ("the Mizushima plant"); never the verb in "Emotet works by ...".
EN_SITE_SUFFIX = re.compile(
    r"(?<![A-Za-z])(?:" + _SITE_WORDS.replace(" ", r"\s+") + r"|plant|power\s+station|"
    r"power\s+plant|shipyard|refinery|factory|steelworks|smelter|substation)(?![A-Za-z])"
)
# Words that make a site only after a distinctive name ("Ichinomiya Service Center", "Hull
# Design Office", never "Microsoft Office" or "DHL Service Center"): the whole phrase is
# learned, never its words alone.
EN_WEAK_SITE = re.compile(
    r"(?<![A-Za-z])(?:Service[ \t]Cent(?:er|re)|Design[ \t]Office|Office|Cent(?:er|re)|Terminal|"
    r"Dock|Berth|Line|Building|Laboratory|Lab|Station)(?![A-Za-z])"
)
EN_NAME_BEFORE = re.compile(r"((?:[A-Z][A-Za-z'\-]{1,30}+\s+){1,4}+)$")
JA_SITE_SUFFIX = re.compile(
    "工場|事業所|製作所|発電所|造船所|製鉄所|製油所|変電所|支社|支店|営業所|研究所|"
    "開発センター|データセンター|物流センター|センター|ヤード|本社|本店|工業所|倉庫|病院|"
    "キャンパス|製造所|出張所|コンビナート|プラント|基地|油槽所|事務所|工区|配電所|指令所|"
    "制御所|管理所|作業所|棟|ドック|船台|岸壁|ライン|室|課|係|班"
)
# Suffixes of a department or a production line: the whole phrase is learned, never the
# words before it alone ("船殻設計室", "第2重合ライン").
JA_UNIT = frozenset("室 課 係 班 ライン 棟 ドック 船台 岸壁".split())
# Katakana words that end in ライン and name no line of a plant ("オンライン", "ガイドライン").
KATAKANA_LINE_WORDS = (
    "オン",
    "オフ",
    "ガイド",
    "タイム",
    "パイプ",
    "ヘッド",
    "ホット",
    "ベース",
    "デッド",
    "ライフ",
    "アウト",
    "コマンド",
    "スカイ",
    "フロント",
    "サポート",
    "トップ",
    "ボトム",
    "アンダー",
    "ストリーム",
    "ハイ",
    "ボーダー",
    "ワン",
    "ニュース",
)
JA_PLANT = frozenset("工場 事業所 製作所 発電所 造船所 製鉄所 製油所 変電所 工業所 製造所".split())
JA_GENERIC_PREFIX = frozenset(
    "当 同 各 本 全 他 別 新 旧 該当 一部 関連 国内 海外 主要 複数 自社 弊社 貴社 "
    "御社 同社 当社 各社 子会社 関係 対象 全国 地方 管轄 所属 近隣 取引先 委託先 "
    # Generic service desks of phishing lures ("カスタマーサポートセンター", "配送センター").
    "サポート カスタマー カスタマーサポート コール サービス ヘルプ セキュリティ 配送 物流 受付 "
    "窓口 情報 運用 管理 監視 問合せ 問い合わせ お客様 データ 研究開発 開発 会議 生産 製造 "
    "応接 待合 休憩 更衣 給湯".split()
)
GENERIC_LONGEST_FIRST = sorted(JA_GENERIC_PREFIX, key=len, reverse=True)
EN_GENERIC = frozenset(
    "the our a an this that their its his her main head new old all each every other one two  "
    "no at in of from to and or for by on central regional group company corporate local  "
    "power nuclear thermal chemical steel data research sales branch east west north south  "
    "first second third primary backup production manufacturing assembly".split()
)
NAME_AFTER = re.compile(r"[ \t]++((?:[A-Z][a-z]{3,20}+[ \t]?){1,2}+)")
_PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|"
    "東京都|神奈川県|新潟県|富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|"
    "滋賀県|京都府|大阪府|兵庫県|奈良県|和歌山県|鳥取県|島根県|岡山県|広島県|山口県|徳島県|"
    "香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
_ADDR_CHARS = "\u3005\u30a0-\u30ff\u4e00-\u9fff0-9０-９\\-－ー−のヶケ"
ADDRESS_SHAPES = (
    re.compile(
        f"(?:〒[ 　]?[0-9０-９]{{3}}[-－][0-9０-９]{{4}}[ 　]?)?(?:{_PREFECTURES})"
        f"[{_ADDR_CHARS}]{{2,40}}+"
    ),
    re.compile(r"〒[ 　]?[0-9０-９]{3}[-－][0-9０-９]{4}"),
    re.compile(
        r"(?<![A-Za-z0-9\-])[0-9]{1,4}(?:-[0-9]{1,4}){1,3},?[ \t]++(?:[A-Z][a-z]{2,20}+"
        r"(?:-[A-Za-z]{2,20}+)?,?[ \t]++){0,3}[A-Z][a-z]{2,20}+-(?:ku|shi|cho|machi|gun|mura)"
        # and the town and postal code after it: "…, Hakata-ku, Fukuoka 812-0021".
        r"(?:,[ \t]*+[A-Z][a-z]{2,20}+(?:-(?:shi|ken|fu|to))?(?![A-Za-z\-]))?"
        r"(?:,?[ \t]++[0-9]{3}-[0-9]{4})?"
        r"(?![A-Za-z])"
    ),
)

# --- teams and ids ---------------------------------------------------------------------
TEAM_SUFFIX = re.compile(r"(?<![A-Za-z0-9])(?:CSIRT|SIRT|PSIRT|CERT|SOC|CSOC|CDC)(?![A-Za-z0-9])")
TEAM_PREFIX_BEFORE = re.compile(
    r"(?:(?<![A-Za-z0-9&\-])([A-Z][A-Za-z0-9&]{1,20}+)|([" + _CJK + r"]{2,12}+))[\- ]?$"
)
# Public and national teams, named in every report: never the member's.
PUBLIC_TEAMS = frozenset(
    "jpcert us cert ics kr krcert eu in au nz nisc ipa ncsc cisa jc3 mitre microsoft google  "
    "cisco ibm apple adobe oracle siemens vmware fortinet paloalto trend kaspersky eset  "
    "mandiant crowdstrike nca nict first apcert thaicert hkcert sgcert twcert cncert jvn  "
    "managed global cloud cyber security our the internal group joint national sector isac".split()
)
# An id after a word that says it is one ("case KG-SEC-26-117", "Sandbox run SBX-88123",
# "KG-SEC-26-124 対応記録"): letters, a dash and digits, one token.
ID_TOKEN = r"[A-Za-z][A-Za-z0-9]{1,11}+(?:-[A-Za-z0-9]{1,12}+){1,4}+"  # noqa: S105
ID_CUED = (
    re.compile(
        r"(?i:(?<![A-Za-z])(?:case|ticket|incident|run|job|task|request|ref|案件|管理番号|受付番号|"
        r"チケット|インシデント|対応番号|整理番号|解析番号)(?![A-Za-z]))[ \t:：#=]{1,3}+"
        r"(" + ID_TOKEN + r")(?![A-Za-z0-9\-])"
    ),
    re.compile(
        r"(?<![A-Za-z0-9\-])(" + ID_TOKEN + r")[ \t　]?(?:対応記録|対応|調査メモ|調査|初動|報告書|"
        r"記録|起票|チケット)"
    ),
)
# Public identifiers that a cue word may introduce too: never the member's.
PUBLIC_ID_PREFIX = re.compile(
    r"(?i)(?:cve|cwe|capec|ghsa|jvn|jvndb|icsa|ms[0-9]{2}|kb|apt|ta|unc|fin|t[0-9]{4}|"
    r"cisa|jpcert|ja|rfc|iso|nist|sp)-"
)
# A vessel: "第八玄海丸" and whatever is named right before "(IMO 1234567)".
SHIP_NAME = re.compile("第[〇一二三四五六七八九十百0-9０-９]{1,4}+[" + _CJK + "]{1,8}?丸")
# The vessel's name right before its IMO number, read over a 24-character window.
VESSEL_BEFORE = re.compile(
    "[\u30a0-\u30ff\u3400-\u9fff]{2,12}$|(?:[A-Z][A-Za-z]{1,20} ){0,2}[A-Z][A-Za-z]{1,20} ?$"
)
IMO_CUE = re.compile(r"[（(][ \t]?IMO[ \t:：]?[0-9]{7}[ \t]?[）)]")
# A hull number: "S-1288番船", "第8123番船", "hull No. 8123", "Hull S-1288".
HULL = (
    re.compile(r"(?:第)?([A-Z]{0,3}-?[0-9]{3,5}+)番船"),
    re.compile(
        r"(?i:(?<![A-Za-z])hull)[ \t]++(?:(?i:no\.?|number|#)[ \t]*+)?"
        r"([A-Z]{0,3}-?[0-9]{3,5}+)(?![0-9A-Za-z])"
    ),
)
# Read backwards from "計画" over a bounded window.
JA_PLAN_BEFORE = re.compile(r"([" + _CJK + r"A-Za-z0-9\-]{2,20}+)$")
JA_PLAN_GENERIC = frozenset(
    "対応 復旧 事業 改善 移行 攻撃 更新 導入 教育 訓練 年度 中期 長期 短期 経営 実行 行動 "
    "作業 保守 点検 運用 開発 調査 監査 業務 再発防止 継続 事業継続".split()
)
ID_SHAPES = (
    re.compile(
        r"(?<![a-z0-9])[a-z][a-z0-9]{1,15}+-(?:csirt|sirt|psirt|cert|soc|ir)-[0-9]{2,4}+"
        r"-[0-9]{1,8}+(?![a-z0-9])"
    ),
    re.compile(
        r"(?<![a-z0-9\-])(?:inc|case|sr|tkt|ticket|req|ritm|chg|sec|ir|sir|ims)"
        r"[\-_#][0-9][0-9a-z]{0,24}+(?:-[0-9a-z]{1,12}+){0,3}+(?![a-z0-9])"
    ),
    re.compile(r"(?<![a-z0-9\-])case-[a-z0-9]{2,24}+(?:-[a-z0-9]{1,12}+){0,3}+(?![a-z0-9])"),
    # ServiceNow-style numbers ("INC0012345", "RITM0031234") and "Case #4521".
    re.compile(r"(?<![a-z0-9])(?:inc|ritm|chg|req|prb|sctask)[0-9]{6,12}+(?![a-z0-9])"),
    # "ABC-DEF-26-117": two groups of letters and two of digits, no public id's shape.
    re.compile(r"(?<![a-z0-9\-])[a-z]{2,6}-[a-z]{2,6}-[0-9]{2,4}-[0-9]{1,6}(?![a-z0-9\-])"),
    # A vessel's IMO number names the member's ship.
    re.compile(r"(?<![a-z0-9])imo[ \t:]?[0-9]{7}(?![0-9])"),
    re.compile(
        r"(?<![a-z0-9])(?:ticket|case|incident|案件|管理番号)[ \t]?#[ \t]?[0-9][0-9\-]{2,20}+"
    ),
)
# An internal host named after a cue ("端末 ep-ws-0113", "workstation KHI-PC-042"): a
# hyphenated token with a digit and no dot (a dotted name is a domain, the attacker's too).
HOST_CUE = re.compile(
    r"(?i:端末|ホスト|サーバー?|クライアント|(?<![A-Za-z])(?:pc|host(?:name)?|workstation|server|"
    r"machine|laptop|endpoint|device|computer|client)(?![A-Za-z]))[ \t:：=]{0,3}+"
    r"([A-Za-z][A-Za-z0-9]{0,20}+(?:-[A-Za-z0-9]{1,20}+){1,4}+)(?![A-Za-z0-9.\-])"
)
# --- projects and archives -------------------------------------------------------------
EN_PROJECT = re.compile(r"(?<![A-Za-z])[Pp]roject[\s\-]++([A-Z][A-Za-z0-9\-]{2,30}+)")
JA_PROJECT = re.compile(r"プロジェクト[「『\s]?([" + _CJK + r"A-Za-z0-9]{2,15}+)")
JA_PROJECT_BEFORE = re.compile(r"[「『]?([" + _CJK + r"A-Za-z0-9]{2,15}+)[」』]?$")
# Archives, and the member's documents and drawings (never a macro or payload type: a lure).
ARCHIVE_EXT = re.compile(
    r"(?i)\.(?:zip|rar|7z|tar|tgz|gz|cab|lzh|bz2|xz|xlsx|xls|docx|doc|pptx|ppt|csv|dwg|dxf|"
    r"vsdx|mpp|accdb|mdb|pst)(?![A-Za-z0-9])"
)
FILE_BEFORE = re.compile(r"([\w\-.()\[\] ]{1,100}+)$")
# Folders where an intruder stages what it takes (never where the member keeps its data): an
# archive written there is the attacker's artifact, an indicator to keep.
STAGING_DIR = re.compile(
    r"(?i)(?:programdata|\\temp|/tmp|/var/tmp|/dev/shm|appdata|\\users\\public|"
    r"\$recycle\.bin|\\perflogs|%temp%|%tmp%|%programdata%|%appdata%|%public%)"
    r"(?:[\\/][^\\/\s\"']{1,64}+){0,3}+[\\/]$"
)
FILE_TOKEN = re.compile(r"[\w\-]\.[A-Za-z0-9]{1,5}(?![A-Za-z0-9])")
DATA_CUES = re.compile(
    r"(?i)exfiltrat|stag(?:ed|ing)|stole|stolen|collected|compress|archived|packed|leaked|"
    r"accessed|opened|copied|downloaded|uploaded|workbook|spreadsheet|drawings?\b|"
    r"持ち出|窃取|流出|圧縮|外部送信|収集|漏え|漏洩|取得|参照|閲覧|複製|コピー|図面"
)


def opaque_name(stem: str) -> bool:
    """A file stem that says nothing of whose data it holds: no run of four letters but
    common English words ("d0508", "dfs_cache"), unlike "keiri_2026Q3_shiharai"."""
    words = re.findall("[A-Za-z]{4,}", stem)
    return not CJK_RE.search(stem) and all(zipf_frequency(w.lower(), "en") >= 3.0 for w in words)


# How a member describes itself so that a reader can tell which member it is ("as the only
# mid-size shipyard in Saga", "福岡の内航海運会社である当社"): matched on folded text, bounded.
SELF_DESCRIPTIONS = (
    re.compile(
        r"(?<![a-z])(?:the|our|as the|being the)[ \t]++(?:only|sole|largest|biggest|last)"
        r"[ \t]++[a-z0-9\-, ]{3,60}?[ \t]in[ \t]++[a-z][a-z\-]{2,20}+"
        r"(?:[ \t]++(?:prefecture|city|region|area))?(?![a-z])"
    ),
    re.compile(
        "[\u3040-\u30ff\u3400-\u9fff・]{2,30}?(?:会社|企業|事業者|メーカー|造船所|事業所|法人)"
        "(?:である|の)(?:当社|弊社|私たち)"
    ),
    re.compile(
        "(?:当社|弊社)(?:は|が)?[\u3040-\u30ff\u3400-\u9fff・]{0,20}?(?:唯一|随一|最大|最後)の"
        "[\u3040-\u30ff\u3400-\u9fff・]{1,20}?(?:会社|企業|事業者|メーカー|造船所)"
    ),
)
