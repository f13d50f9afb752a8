#!/usr/bin/env python3
"""Generate circmatch's sample data set: service/sample/profiles.jsonl.

One `circmatch.v1.Profile` per line, in proto3 JSON form (camelCase field names, enum names, RFC 3339
timestamps, default values left out). About 300 buyers, 300 tenders, 3,000 suppliers and 300 buddies, spread
over the Netherlands with clusters in Regio Zwolle, Regio Foodvalley and the Amsterdam metropolitan region (MRA).

The controlled vocabularies are read from engine/data/ (relative to this script), and every CPV code,
municipality name and strategy/material/certification/phase/topic id that is written is checked against them;
the script fails loudly on any unknown value. Organizations other than real public bodies, all people and all
contact details are fictional. Deterministic: a fixed seed, no clock, no hash-order dependence.

Usage:  python3 service/sample/generate_sample_data.py [--out PATH]
Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 20261122
HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "engine" / "data"
DEFAULT_OUT = HERE / "profiles.jsonl"

N_SUPPLIERS = 3000
N_TENDERS = 300
N_BUDDIES = 300
N_MUNICIPAL_BUYERS = 267  # + 12 provinces + 21 water boards = 300 buyers

# --------------------------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------------------------


class Vocab:
    def __init__(self, data_dir: Path):
        self.cpv: dict[str, dict] = {}
        with open(data_dir / "cpv_2008.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                self.cpv[row["code8"]] = row
        self.municipalities: dict[str, dict] = {}
        with open(data_dir / "nl_municipalities.csv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                row["lat"] = float(row["lat"])
                row["lon"] = float(row["lon"])
                self.municipalities[row["name"]] = row
        self.lists: dict[str, dict[str, dict]] = {}
        for name in ("strategies", "materials", "certifications", "phases", "topics"):
            with open(data_dir / f"{name}.csv", encoding="utf-8", newline="") as f:
                self.lists[name] = {row["id"]: row for row in csv.DictReader(f)}
        if len(self.cpv) < 9000 or len(self.municipalities) < 300:
            die(f"vocabularies in {data_dir} look incomplete")

    def check_cpv(self, code: str, where: str) -> str:
        if code not in self.cpv:
            die(f"{where}: CPV code {code!r} is not in cpv_2008.csv (column code8)")
        return code

    def check_municipality(self, name: str, where: str) -> str:
        if name not in self.municipalities:
            die(f"{where}: municipality {name!r} is not in nl_municipalities.csv")
        return name

    def check_id(self, listname: str, value: str, where: str) -> str:
        if value not in self.lists[listname]:
            die(f"{where}: {listname} id {value!r} is not in {listname}.csv")
        return value

    def label_nl(self, listname: str, value: str) -> str:
        label = self.lists[listname][value]["label_nl"]
        # Lower-case the first letter unless the word is an acronym ("CO2-reductie", "EMVI").
        if len(label) > 1 and label[1].islower():
            label = label[0].lower() + label[1:]
        return label


def die(msg: str) -> None:
    print(f"generate_sample_data.py: ERROR: {msg}", file=sys.stderr)
    sys.exit(1)


# --------------------------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------------------------

REGIONS = {
    "regio-zwolle": [
        "Zwolle", "Kampen", "Dalfsen", "Hattem", "Zwartewaterland", "Staphorst", "Raalte", "Steenwijkerland",
        "Meppel", "Heerde", "Olst-Wijhe", "Oldebroek", "Elburg", "Hardenberg", "Ommen", "Westerveld",
        "De Wolden", "Noordoostpolder", "Urk", "Dronten", "Epe", "Nunspeet",
    ],
    "foodvalley": ["Ede", "Wageningen", "Barneveld", "Veenendaal", "Rhenen", "Renswoude", "Nijkerk", "Scherpenzeel"],
    "mra": [
        "Amsterdam", "Almere", "Lelystad", "Zaanstad", "Haarlem", "Haarlemmermeer", "Amstelveen", "Purmerend",
        "Hilversum", "Gooise Meren", "Huizen", "Blaricum", "Laren", "Wijdemeren", "Aalsmeer", "Ouder-Amstel",
        "Diemen", "Uithoorn", "Landsmeer", "Oostzaan", "Wormerland", "Waterland", "Edam-Volendam", "Beverwijk",
        "Heemskerk", "Velsen", "Zandvoort", "Bloemendaal", "Heemstede", "Uitgeest",
    ],
}
REGION_HUB = {"regio-zwolle": ("Zwolle", 6), "foodvalley": ("Ede", 4), "mra": ("Amsterdam", 8)}

# Larger cities get more suppliers outside the clusters.
CITY_WEIGHT = {
    "Rotterdam": 7, "'s-Gravenhage": 6, "Utrecht": 6, "Eindhoven": 5, "Groningen": 4, "Tilburg": 4, "Breda": 3,
    "Nijmegen": 3, "Apeldoorn": 3, "Arnhem": 3, "Enschede": 3, "Amersfoort": 3, "'s-Hertogenbosch": 3,
    "Leeuwarden": 3, "Maastricht": 3, "Leiden": 2, "Dordrecht": 2, "Zoetermeer": 2, "Deventer": 2, "Delft": 2,
    "Venlo": 2, "Alkmaar": 2, "Helmond": 2, "Hengelo": 2, "Emmen": 2, "Assen": 2, "Westland": 2, "Oss": 2,
    "Sittard-Geleen": 2, "Heerlen": 2, "Roosendaal": 2, "Middelburg": 2, "Gouda": 2, "Hoorn": 2,
}

PROVINCE_SEATS = {
    "Groningen": "Groningen", "Fryslân": "Leeuwarden", "Drenthe": "Assen", "Overijssel": "Zwolle",
    "Flevoland": "Lelystad", "Gelderland": "Arnhem", "Utrecht": "Utrecht", "Noord-Holland": "Haarlem",
    "Zuid-Holland": "'s-Gravenhage", "Zeeland": "Middelburg", "Noord-Brabant": "'s-Hertogenbosch",
    "Limburg": "Maastricht",
}

# Real water boards and their seats; the profiles and contacts are fictional.
WATER_BOARDS = [
    ("Waterschap Drents Overijsselse Delta", "Zwolle"),
    ("Waterschap Vallei en Veluwe", "Apeldoorn"),
    ("Waterschap Rijn en IJssel", "Doetinchem"),
    ("Waterschap Vechtstromen", "Almelo"),
    ("Waterschap Zuiderzeeland", "Lelystad"),
    ("Wetterskip Fryslân", "Leeuwarden"),
    ("Waterschap Noorderzijlvest", "Groningen"),
    ("Waterschap Hunze en Aa's", "Veendam"),
    ("Hoogheemraadschap Amstel, Gooi en Vecht", "Amsterdam"),
    ("Hoogheemraadschap Hollands Noorderkwartier", "Dijk en Waard"),
    ("Hoogheemraadschap van Rijnland", "Leiden"),
    ("Hoogheemraadschap van Delfland", "Delft"),
    ("Hoogheemraadschap van Schieland en de Krimpenerwaard", "Rotterdam"),
    ("Waterschap Hollandse Delta", "Ridderkerk"),
    ("Hoogheemraadschap De Stichtse Rijnlanden", "Houten"),
    ("Waterschap Rivierenland", "Tiel"),
    ("Waterschap Brabantse Delta", "Breda"),
    ("Waterschap De Dommel", "Boxtel"),
    ("Waterschap Aa en Maas", "'s-Hertogenbosch"),
    ("Waterschap Limburg", "Roermond"),
    ("Waterschap Scheldestromen", "Middelburg"),
]

# How a municipality is called in an organization name, where that differs from the official CBS name.
COMMON_NAME = {"'s-Gravenhage": "Den Haag", "Bergen (NH.)": "Bergen (NH)", "Bergen (L.)": "Bergen (L)"}

# Telephone area codes for some places; the subscriber part always starts with 0, which no real Dutch
# subscriber number does, so every number in the file is fictional.
AREA_CODE = {
    "Amsterdam": "20", "Rotterdam": "10", "'s-Gravenhage": "70", "Utrecht": "30", "Eindhoven": "40",
    "Groningen": "50", "Zwolle": "38", "Kampen": "38", "Dalfsen": "529", "Ede": "318", "Wageningen": "317",
    "Barneveld": "342", "Veenendaal": "318", "Arnhem": "26", "Nijmegen": "24", "Apeldoorn": "55",
    "Haarlem": "23", "Leiden": "71", "Tilburg": "13", "Breda": "76", "Maastricht": "43", "Enschede": "53",
    "Leeuwarden": "58", "Assen": "592", "Lelystad": "320", "Almere": "36", "Middelburg": "118",
    "'s-Hertogenbosch": "73", "Deventer": "570", "Amersfoort": "33", "Meppel": "522", "Hardenberg": "523",
}

# Words for "a region" in company names, by network or province, so that names fit where the company is.
AREA_WORDS = {
    "regio-zwolle": ["IJssel", "Vecht", "IJsseldelta", "Regio Zwolle", "Noord", "Salland"],
    "foodvalley": ["Foodvalley", "Vallei", "Gelderse Vallei", "Midden"],
    "mra": ["Amstel", "Zaan", "Randstad", "Gooi", "Kennemerland", "Metropool"],
    "Groningen": ["Noord", "Ommeland", "Groningerland"], "Fryslân": ["Friesland", "Noord", "Waddenland"],
    "Drenthe": ["Drenthe", "Noord", "Veenkoloniën"], "Overijssel": ["Twente", "Salland", "Oost"],
    "Flevoland": ["Flevoland", "Polder"], "Gelderland": ["Veluwe", "Achterhoek", "Betuwe", "Rivierenland", "Oost"],
    "Utrecht": ["Midden", "Utrecht", "Heuvelrug", "Eem"], "Noord-Holland": ["Noorderkwartier", "West-Friesland", "Holland"],
    "Zuid-Holland": ["Randstad", "Holland", "Delta", "Rijnmond", "Drechtsteden"],
    "Zeeland": ["Zeeland", "Delta", "Zuidwest"], "Noord-Brabant": ["Brabant", "Zuid", "Kempen", "Peel"],
    "Limburg": ["Limburg", "Maas", "Zuid", "Parkstad"],
}

# --------------------------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------------------------

FIRST_NAMES = [
    "Anouk", "Bas", "Carlijn", "Daan", "Eline", "Femke", "Gijs", "Hanneke", "Iris", "Jeroen", "Joost", "Karin",
    "Lieke", "Maarten", "Marloes", "Niels", "Noor", "Pieter", "Ruben", "Sanne", "Thijs", "Wouter", "Yvonne",
    "Esther", "Marieke", "Hans", "Ingrid", "Erik", "Petra", "Sjoerd", "Willemijn", "Rik", "Mirjam", "Arjen",
    "Fatima", "Mohamed", "Yusuf", "Sevda", "Priya", "Kevin", "Lotte", "Bram", "Tessa", "Sander", "Jolanda",
    "Roel", "Ilse", "Koen", "Floor", "Hugo", "Merel", "Jasper", "Annemiek", "Gerrit", "Hilde", "Tom", "Ayse",
    "Nadia", "Dewi", "Martijn", "Evelien", "Frank", "Linda", "Stefan", "Judith", "Vincent", "Wietske", "Harm",
]
SURNAMES = [
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
    "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
    "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel",
    "van der Veen", "van den Broek", "de Bruijn", "de Jong", "van Dijk", "Schouten", "Kuipers", "Hoekstra",
    "Postma", "Koster", "Prins", "Huisman", "Willems", "Yilmaz", "El Amrani", "Bouzid", "Kaya", "Nguyen",
    "Pinas", "Tahiri", "Öztürk", "Wijnands", "Veenstra", "Timmermans", "Hofman", "Brink", "Kramer", "Scholten",
    "ter Horst", "Wolters", "Post", "Zwart", "Boersma", "Haverkamp", "Nijland", "Oosterhuis", "Lubbers",
    "Sahin", "Mahabier", "Ramdin", "Groen", "van Beek", "Evers", "Koopman", "Verhoeven", "Claassen",
]


def ascii_slug(text: str, sep: str = "") -> str:
    norm = unicodedata.normalize("NFKD", text)
    out = []
    for ch in norm:
        if unicodedata.combining(ch):
            continue
        if ch.isalnum() and ch.isascii():
            out.append(ch.lower())
        elif ch in " -/&" and sep:
            out.append(sep)
    s = "".join(out)
    while sep and sep * 2 in s:
        s = s.replace(sep * 2, sep)
    return s.strip(sep)


def person(rng: random.Random) -> tuple[str, str]:
    """A fictional name and its mailbox part, e.g. ("Jan de Vries", "j.devries")."""
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(SURNAMES)
    return f"{first} {last}", f"{ascii_slug(first)[0]}.{ascii_slug(last)}"


def phone(rng: random.Random, municipality: str | None, mobile: bool = False) -> str:
    if mobile:
        return f"+31 6 0{rng.randint(0, 9999999):07d}"
    area = AREA_CODE.get(municipality or "", "85")
    digits = 9 - len(area)
    return f"+31 {area} 0{rng.randint(0, 10 ** (digits - 1) - 1):0{digits - 1}d}"


# --------------------------------------------------------------------------------------------------------------
# Themes of circular procurement
# --------------------------------------------------------------------------------------------------------------
# Each theme bundles CPV codes (specific ones and a broader group/division), R-ladder strategies, materials,
# certifications, topics buddies talk about, and Dutch (and a few English) phrases.

THEMES: dict[str, dict] = {
    "office-furniture": {
        "cpv": ["39130000", "39112000", "39121000", "39121100", "39122000", "39111000", "39131000", "39151000",
                "39160000", "50850000"],
        "cpv_broad": ["39100000", "39130000"],
        "cpv_division": "39000000",
        "strategies": ["R3", "R5", "R4", "R8"],
        "core_strategies": ["R3", "R5"],
        "materials": ["furniture", "wood", "textiles", "steel", "aluminium"],
        "core_materials": ["furniture"],
        "certs": ["fsc", "pefc", "cradle-to-cradle", "iso-14001", "psu"],
        "tender_certs": ["fsc", "iso-14001", "cradle-to-cradle"],
        "topics": ["reverse-logistics", "tco", "product-as-a-service", "circular-specifications"],
        "short": "circulair meubilair",
        "plural": "meubilairaanbestedingen",
        "buyer": "hergebruik van kantoormeubilair",
        "did": "een raamovereenkomst voor refurbished kantoormeubilair gegund",
        "name_cores": ["Meubel", "Kantoor", "Stoel", "Interieur", "Werkplek", "Meubelrevisie", "Inrichting",
                       "Bureau", "Zitwerk", "Meubelmakerij"],
        "supplier": [
            "Wij refurbishen kantoorstoelen en bureaus en leveren ze met vijf jaar garantie terug.",
            "Wij kopen gebruikt kantoormeubilair in, knappen het op en verkopen het opnieuw aan overheden.",
            "Revisie van bureaustoelen: nieuwe bekleding, wielen en gasveren, zodat een stoel tien jaar langer meegaat.",
            "Wij maken vergadertafels en kasten van hergebruikt hout uit sloopprojecten.",
            "Meubilair als dienst: u betaalt per werkplek per maand en wij nemen alles na gebruik terug.",
            "Wij inventariseren uw bestaande meubilair en maken een herinrichtingsplan met zoveel mogelijk hergebruik.",
            "Stoffering van stoelen en banken vervangen met gerecyclede wolstof.",
            "Zit-sta bureaus uit hergebruikte onderstellen met nieuwe bladen van FSC-hout.",
            "Schoolmeubilair repareren en opnieuw lakken in onze eigen werkplaats.",
            "Kasten, lockers en archiefrekken demonteren, opknappen en elders opnieuw plaatsen.",
            "Wij ontwerpen modulair meubilair dat u bij een verhuizing eenvoudig aanpast in plaats van vervangt.",
            "Restpartijen meubilair van gemeenten en bedrijven krijgen bij ons een tweede leven.",
        ],
        "supplier_en": [
            "We refurbish office chairs and desks and return them with a five-year warranty.",
            "Furniture as a service with guaranteed take-back at the end of use.",
        ],
        "tenders": [
            ("Circulair kantoormeubilair {obj}", "{org} zoekt een leverancier voor circulair meubilair voor {obj}, met terugnamegarantie."),
            ("Herinrichting {obj} met hergebruikt meubilair", "Voor de herinrichting van {obj} wil {org} het bestaande meubilair zoveel mogelijk hergebruiken en opknappen."),
            ("Raamovereenkomst refurbished bureaustoelen", "{org} vraagt een raamovereenkomst voor refurbished bureaustoelen en zit-sta bureaus."),
            ("Meubilair als dienst {obj}", "{org} wil meubilair als dienst afnemen voor {obj}: betalen voor gebruik, de leverancier blijft eigenaar."),
            ("Circulair schoolmeubilair", "{org} zoekt schoolmeubilair dat wordt gerepareerd en opnieuw ingezet, met nieuwe onderdelen van gecertificeerd hout."),
        ],
        "tender_en": ["{org} seeks refurbished office furniture for {obj}, with a take-back guarantee."],
        "requirements": ["Minimaal de helft van de stoelen moet hergebruikt of gerefurbished zijn.",
                         "De inschrijver biedt een terugnameregeling aan het einde van de gebruiksduur.",
                         "Nieuw hout moet FSC- of PEFC-gecertificeerd zijn.",
                         "Wij vragen een inventarisatie van het huidige meubilair als eerste stap."],
    },
    "ict-hardware": {
        "cpv": ["30213000", "30213100", "30213200", "30213300", "30231000", "30232000", "30232100", "30236000",
                "30237000", "32250000", "50312000"],
        "cpv_broad": ["30200000", "30230000"],
        "cpv_division": "30000000",
        "strategies": ["R3", "R4", "R5", "R8", "R2"],
        "core_strategies": ["R3", "R5", "R8"],
        "materials": ["ict-hardware", "metals", "batteries", "plastics"],
        "core_materials": ["ict-hardware"],
        "certs": ["tco-certified", "epeat", "iso-14001", "iso-9001", "psu"],
        "tender_certs": ["tco-certified", "epeat", "iso-14001"],
        "topics": ["tco", "reverse-logistics", "product-as-a-service", "measuring-circularity"],
        "short": "circulaire ICT-hardware",
        "plural": "ICT-aanbestedingen",
        "buyer": "ICT-hardware met een langere levensduur",
        "did": "refurbished laptops en beeldschermen voor alle medewerkers ingekocht",
        "name_cores": ["IT", "Laptop", "Device", "Computer", "Tech", "Hardware", "ICT", "Refurb"],
        "supplier": [
            "Wij leveren refurbished laptops en beeldschermen met drie jaar garantie.",
            "Veilige dataverwijdering, refurbishment en doorverkoop van afgeschreven ICT-apparatuur.",
            "Laptops, telefoons en tablets repareren in plaats van vervangen: accu's, schermen en toetsenborden.",
            "Wij nemen oude hardware terug en recyclen wat niet meer te gebruiken is volgens de WEEE-normen.",
            "Werkplekken als dienst: wij blijven eigenaar van de laptops en zorgen voor onderhoud en terugname.",
            "Wij verlengen de levensduur van uw computers met geheugen- en SSD-upgrades.",
            "Gecertificeerde refurbished desktops en monitoren, met een CO2-rapport per levering.",
            "Printers en multifunctionals onderhouden en opknappen voor een tweede gebruiksperiode.",
            "Inzameling van ICT-apparatuur bij gemeenten, met rapportage per serienummer.",
        ],
        "supplier_en": [
            "We supply refurbished laptops and monitors with a three-year warranty and certified data wiping.",
            "Device-as-a-service: we keep ownership, maintain the hardware and take it back for reuse.",
        ],
        "tenders": [
            ("Refurbished laptops en beeldschermen", "{org} zoekt een leverancier van refurbished laptops en beeldschermen voor de medewerkers."),
            ("Inzameling en hergebruik afgeschreven ICT", "{org} wil afgeschreven ICT-apparatuur laten inzamelen, veilig wissen en opnieuw inzetten."),
            ("Circulaire werkplekapparatuur {year}", "Voor de nieuwe werkplekken vraagt {org} apparatuur met een lange levensduur en een terugnameregeling."),
            ("Devices as a service medewerkers", "{org} wil laptops als dienst afnemen, inclusief onderhoud, reparatie en terugname."),
            ("Levensduurverlenging ICT-hardware", "{org} zoekt een partij die laptops en desktops repareert en met upgrades langer bruikbaar maakt."),
        ],
        "tender_en": ["{org} is looking for refurbished laptops and screens with certified data erasure."],
        "requirements": ["Apparatuur is TCO Certified of gelijkwaardig.",
                         "De inschrijver garandeert reparatie en onderdelen voor minimaal vijf jaar.",
                         "Wij vragen een rapportage van hergebruik en recycling per apparaat.",
                         "Gunning op basis van total cost of ownership over de hele levensduur."],
    },
    "workwear": {
        "cpv": ["18100000", "18110000", "18130000", "18143000", "18220000", "18330000", "18424000", "18830000",
                "18222000", "98310000"],
        "cpv_broad": ["18100000", "18000000"],
        "cpv_division": "18000000",
        "strategies": ["R3", "R8", "R2", "R4"],
        "core_strategies": ["R3", "R8"],
        "materials": ["textiles", "workwear"],
        "core_materials": ["textiles", "workwear"],
        "certs": ["eu-ecolabel", "milieukeur", "iso-14001", "psu", "pso-ladder", "bcorp"],
        "tender_certs": ["eu-ecolabel", "iso-14001", "pso-ladder"],
        "topics": ["social-return", "reverse-logistics", "circular-specifications", "sme-access"],
        "short": "circulaire bedrijfskleding",
        "plural": "textielaanbestedingen",
        "buyer": "bedrijfskleding van gerecycled textiel",
        "did": "bedrijfskleding met een terugnameregeling en gerecyclede vezels aanbesteed",
        "name_cores": ["Textiel", "Kleding", "Workwear", "Vezel", "Uniform", "Stof", "Naaiatelier"],
        "supplier": [
            "Wij maken bedrijfskleding van gerecyclede vezels en nemen afgedankte kleding terug.",
            "Inzameling van oude werkkleding, sorteren en verwerken tot nieuwe garens.",
            "Reparatie- en verstelservice voor werkkleding, zodat broeken en jassen langer meegaan.",
            "Ons naaiatelier werkt met mensen met een afstand tot de arbeidsmarkt en verwerkt oude uniformen tot tassen.",
            "Werkkleding in een huur- en wasconstructie: wij wassen, repareren en vervangen.",
            "Duurzame T-shirts en polo's van biologisch en gerecycled katoen, zonder logo-afval.",
            "Veiligheidskleding die aan het einde van de levensduur volledig te recyclen is.",
            "Wij verwijderen logo's van gebruikte kleding zodat die opnieuw kan worden gedragen.",
        ],
        "supplier_en": ["We make workwear from recycled fibres and take back worn garments for recycling."],
        "tenders": [
            ("Circulaire bedrijfskleding buitendienst", "{org} zoekt circulaire bedrijfskleding voor de buitendienst, met gerecyclede vezels en terugname."),
            ("Duurzame uniformen handhaving", "{org} wil de werkkleding van handhavers en wijkteams laten leveren, repareren en na gebruik recyclen."),
            ("Werkkleding in huur en was {year}", "Voor {obj} vraagt {org} werkkleding in een huur- en wasconstructie."),
            ("Beheer en reparatie werkkleding", "{org} zoekt een partij die werkkleding beheert, herstelt en aan het einde van de levensduur recyclet."),
        ],
        "tender_en": ["{org} wants workwear with recycled content and a take-back scheme for its field staff."],
        "requirements": ["Minimaal 30% gerecyclede vezels.",
                         "De leverancier neemt afgedankte kleding terug en rapporteert over de verwerking.",
                         "Social return: een deel van de opdracht wordt uitgevoerd door een sociale onderneming."],
    },
    "construction": {
        "cpv": ["45210000", "45233000", "45233120", "45233140", "45262000", "45262300", "45262500", "45111000",
                "45111100", "45453000", "45453100", "45262700", "45214000", "45221000", "45223000", "45236000",
                "45443000", "44114000", "44113600", "44191000"],
        "cpv_broad": ["45200000", "45230000", "45450000"],
        "cpv_division": "45000000",
        "strategies": ["R2", "R3", "R6", "R8", "R1", "R7"],
        "core_strategies": ["R2", "R3", "R8"],
        "materials": ["concrete", "asphalt", "steel", "bricks", "bio-based", "wood", "gravel", "insulation",
                      "gypsum", "glass", "soil"],
        "core_materials": ["concrete", "asphalt", "steel", "bricks", "bio-based"],
        "certs": ["co2-prestatieladder-3", "co2-prestatieladder-4", "co2-prestatieladder-5", "nen-2767",
                  "iso-14001", "iso-9001"],
        "tender_certs": ["co2-prestatieladder-3", "co2-prestatieladder-4", "co2-prestatieladder-5", "nen-2767",
                         "iso-14001"],
        "topics": ["material-passports", "co2-reduction", "measuring-circularity", "award-criteria"],
        "short": "circulair bouwen",
        "plural": "circulaire bouwprojecten",
        "buyer": "circulair bouwen met hergebruikte materialen",
        "did": "een brug en een fietspad met hergebruikt beton en staal laten aanleggen",
        "name_cores": ["Bouw", "Sloop", "Beton", "Infra", "Wegenbouw", "Bouwmaterialen", "Aannemers",
                       "Renovatie", "Grond- en Wegenbouw", "Houtbouw", "Bouwcombinatie"],
        "supplier": [
            "Wij slopen circulair: bouwdelen worden gedemonteerd, geïnventariseerd en opnieuw ingezet.",
            "Betongranulaat uit sloopafval verwerken tot nieuw constructief beton.",
            "Asfalt met een hoog percentage hergebruikt asfaltgranulaat en lage-temperatuurmenging.",
            "Wij bouwen in hout en biobased isolatiematerialen, met een materialenpaspoort voor elk gebouw.",
            "Renovatie van schoolgebouwen met hergebruikte kozijnen, bakstenen en stalen liggers.",
            "Stalen draagconstructies die demontabel zijn en elders opnieuw worden opgebouwd.",
            "Bruggen en steigers van hergebruikt en biobased materiaal, ontworpen voor demontage.",
            "Oogsten van bouwmaterialen uit leegstaande panden en verkoop via onze materialenhub.",
            "Conditiemetingen volgens NEN 2767 en onderhoudsplannen die renovatie boven sloop stellen.",
            "Gevelrenovatie met herbruikbare bakstenen en minimale inzet van nieuw materiaal.",
            "Grond- en wegenbouw met hergebruikte straatstenen, banden en funderingsmaterialen.",
            "Wij rekenen de milieukosten van elk ontwerp door en sturen op de laagste MKI-waarde.",
        ],
        "supplier_en": [
            "Circular demolition and harvesting of building components for reuse, with a material passport.",
            "Low-carbon asphalt with a high share of recycled asphalt granulate.",
        ],
        "tenders": [
            ("Circulaire renovatie {obj}", "{org} zoekt een aannemer voor de circulaire renovatie van {obj}, met maximaal hergebruik van bestaande bouwdelen."),
            ("Herinrichting {street} met hergebruikte materialen", "Bij de herinrichting van de {street} wil {org} straatstenen, banden en funderingsmateriaal hergebruiken."),
            ("Groot onderhoud wegen {year}", "{org} besteedt het groot onderhoud van wegen aan, met asfalt met veel hergebruikt granulaat."),
            ("Circulaire sloop {obj}", "{org} laat {obj} circulair slopen: vrijkomende materialen worden geïnventariseerd en opnieuw ingezet."),
            ("Nieuwbouw {obj} in hout", "{org} vraagt een ontwerp en bouw van {obj} in hout en biobased materialen, met een materialenpaspoort."),
            ("Vervanging brug {street}", "Vervanging van de brug aan de {street}: {org} vraagt een demontabel ontwerp met hergebruikt staal."),
            ("Raamcontract circulair asfalt", "{org} sluit een raamcontract voor asfaltonderhoud met lage-temperatuurasfalt en hergebruik van granulaat."),
        ],
        "tender_en": ["{org} tenders the circular renovation of {obj}, reusing as many existing components as possible."],
        "requirements": ["Inschrijvers hebben minimaal niveau 3 op de CO2-Prestatieladder.",
                         "Wij vragen een materialenpaspoort bij oplevering.",
                         "De MKI-waarde van het ontwerp weegt mee in de gunning.",
                         "Een conditiemeting volgens NEN 2767 is onderdeel van de opdracht.",
                         "Minimaal 50% van het granulaat moet hergebruikt zijn."],
    },
    "catering": {
        "cpv": ["55500000", "55510000", "55520000", "55523000", "55524000", "55320000", "15000000", "15300000",
                "15330000", "15500000", "15800000", "03220000"],
        "cpv_broad": ["55500000", "15000000"],
        "cpv_division": "55000000",
        "strategies": ["R0", "R2", "R8"],
        "core_strategies": ["R0", "R2"],
        "materials": ["food", "organic-waste", "plastics"],
        "core_materials": ["food"],
        "certs": ["iso-14001", "milieukeur", "psu", "bcorp", "iso-26000"],
        "tender_certs": ["iso-14001", "milieukeur"],
        "topics": ["social-return", "sme-access", "co2-reduction", "circular-specifications"],
        "short": "duurzame catering",
        "plural": "cateringaanbestedingen",
        "buyer": "catering met minder voedselverspilling",
        "did": "de bedrijfscatering aanbesteed met eisen voor voedselverspilling en eiwittransitie",
        "name_cores": ["Catering", "Keuken", "Smaak", "Food", "Lunch", "Kantine", "Streekkeuken", "Eten"],
        "supplier": [
            "Bedrijfscatering met seizoensgebonden streekproducten en een plantaardig basismenu.",
            "Wij meten voedselverspilling per dag en sturen het aanbod bij, zodat er nauwelijks restafval overblijft.",
            "Lunches zonder wegwerpverpakkingen: herbruikbare bakjes en bekers met statiegeld.",
            "Onze keuken werkt met mensen met een afstand tot de arbeidsmarkt en kookt met overschotten van telers.",
            "Broodjes en soepen van reststromen uit de regio, geleverd met elektrische bakfietsen.",
            "Kantinebeheer met minder vlees, minder verpakking en gescheiden inzameling van gft.",
            "Catering voor scholen met groente en fruit van boeren uit de omgeving.",
        ],
        "supplier_en": ["Canteen catering with seasonal local produce, a plant-based default menu and no disposables."],
        "tenders": [
            ("Bedrijfscatering {obj}", "{org} zoekt een cateraar voor {obj} die voedselverspilling meet en terugdringt."),
            ("Duurzame catering {year}", "{org} vraagt bedrijfscatering met streekproducten, een plantaardig basisaanbod en geen wegwerpverpakkingen."),
            ("Kantinebeheer {obj}", "Voor het kantinebeheer in {obj} wil {org} samenwerken met een lokale cateraar of sociale onderneming."),
            ("Catering zonder wegwerp", "{org} wil af van wegwerpbekers en -verpakkingen en zoekt een cateraar met herbruikbare alternatieven."),
        ],
        "tender_en": ["{org} seeks a caterer for {obj} that measures and reduces food waste."],
        "requirements": ["Minimaal 60% van het aanbod is plantaardig.",
                         "De cateraar rapporteert elk kwartaal over voedselverspilling.",
                         "Geen wegwerpbekers en -bestek."],
    },
    "cleaning": {
        "cpv": ["90910000", "90911000", "90911200", "90911300", "90919000", "90919200", "90919300", "39830000",
                "39800000", "33760000"],
        "cpv_broad": ["90910000"],
        "cpv_division": "90000000",
        "strategies": ["R2", "R1", "R3"],
        "core_strategies": ["R2"],
        "materials": ["paper", "plastics"],
        "core_materials": [],
        "certs": ["eu-ecolabel", "iso-14001", "co2-prestatieladder-3", "iso-9001", "psu", "pso-ladder"],
        "tender_certs": ["eu-ecolabel", "iso-14001", "co2-prestatieladder-3"],
        "topics": ["circular-specifications", "social-return", "award-criteria", "sme-access"],
        "short": "circulaire schoonmaak",
        "plural": "schoonmaakaanbestedingen",
        "buyer": "schoonmaak met ecolabel-producten",
        "did": "de schoonmaak van alle gemeentelijke gebouwen circulair aanbesteed",
        "name_cores": ["Schoonmaak", "Clean", "Glans", "Facilitair", "Glazenwassers", "Hygiëne"],
        "supplier": [
            "Schoonmaak met microvezeldoeken en water, zonder chemische middelen waar dat kan.",
            "Wij gebruiken alleen schoonmaakmiddelen met het EU Ecolabel, in navulbare verpakkingen.",
            "Kantoorschoonmaak op basis van gebruik: sensoren bepalen welke ruimtes een beurt nodig hebben.",
            "Glazenwassen met osmosewater en elektrische bussen.",
            "Schoolschoonmaak door medewerkers uit de buurt, met aandacht voor social return.",
            "Papieren handdoeken en toiletpapier van gerecycled papier, met inzameling voor hergebruik.",
        ],
        "supplier_en": ["Office cleaning with ecolabel products, refillable packaging and minimal chemicals."],
        "tenders": [
            ("Schoonmaak {obj}", "{org} besteedt de schoonmaak van {obj} aan, met ecolabel-middelen en zo weinig mogelijk wegwerpmateriaal."),
            ("Circulaire schoonmaakdienstverlening {year}", "{org} zoekt een schoonmaakbedrijf dat werkt op basis van gebruik en het middelengebruik rapporteert."),
            ("Schoonmaak gemeentelijke gebouwen", "Voor alle eigen gebouwen vraagt {org} schoonmaak met microvezel, navulbare verpakkingen en social return."),
            ("Glasbewassing en gevelreiniging", "{org} besteedt de glasbewassing aan, met osmosewater en emissievrij vervoer."),
        ],
        "tender_en": ["{org} tenders cleaning of {obj} with ecolabel products and minimal disposables."],
        "requirements": ["Schoonmaakmiddelen dragen het EU Ecolabel of gelijkwaardig.",
                         "5% van de opdrachtwaarde wordt besteed aan social return.",
                         "Wij vragen een jaarlijkse rapportage van het middelengebruik."],
    },
    "waste": {
        "cpv": ["90500000", "90510000", "90511000", "90511100", "90512000", "90513000", "90514000", "90533000",
                "34928480"],
        "cpv_broad": ["90500000", "90510000"],
        "cpv_division": "90000000",
        "strategies": ["R8", "R9", "R3", "R2"],
        "core_strategies": ["R8", "R9"],
        "materials": ["organic-waste", "plastics", "paper", "glass", "textiles", "metals"],
        "core_materials": ["organic-waste", "plastics", "paper"],
        "certs": ["co2-prestatieladder-3", "co2-prestatieladder-4", "co2-prestatieladder-5", "iso-14001",
                  "iso-9001"],
        "tender_certs": ["co2-prestatieladder-3", "co2-prestatieladder-4", "iso-14001"],
        "topics": ["reverse-logistics", "measuring-circularity", "co2-reduction", "joint-procurement"],
        "short": "afvalinzameling en recycling",
        "plural": "afvalcontracten",
        "buyer": "afvalinzameling met hogere scheidingspercentages",
        "did": "de inzameling van bedrijfsafval met vijf gescheiden stromen aanbesteed",
        "name_cores": ["Afval", "Recycling", "Grondstoffen", "Milieu", "Inzameling", "Containers", "Kringloop"],
        "supplier": [
            "Inzameling van bedrijfsafval in zeven gescheiden stromen, met rapportage per locatie.",
            "Wij verwerken gft en groenafval tot compost en biogas voor de regio.",
            "Kunststofafval sorteren en verwerken tot nieuwe granulaten voor de bouw.",
            "Oud papier en karton inzamelen en terugleveren aan papierfabrieken in Nederland.",
            "Kringloopwinkel en milieustraat in één: spullen worden eerst hergebruikt, daarna gerecycled.",
            "Ondergrondse containers met vulgraadsensoren, zodat we alleen rijden als het nodig is.",
            "Wij halen afval op met elektrische vuilniswagens en rapporteren de CO2-uitstoot.",
            "Textiel, glas en metalen uit huishoudelijk afval terugwinnen met nascheiding.",
        ],
        "supplier_en": ["Collection of commercial waste in separate streams with monthly reporting on recycling rates."],
        "tenders": [
            ("Inzameling bedrijfsafval gemeentelijke panden", "{org} zoekt een partij voor de inzameling en verwerking van bedrijfsafval uit de eigen panden."),
            ("Verwerking gft-afval {year}", "{org} besteedt de verwerking van gft-afval aan, met voorkeur voor compostering en vergisting in de regio."),
            ("Afvalinzameling en -verwerking", "{org} wil het restafval halveren en vraagt inzameling met meer gescheiden stromen en betere rapportage."),
            ("Milieustraat en kringloop", "{org} zoekt een partner die de milieustraat combineert met een kringloopwinkel, zodat spullen eerst worden hergebruikt."),
        ],
        "tender_en": ["{org} tenders the collection and recycling of waste from its buildings, in separate streams."],
        "requirements": ["De inschrijver rapporteert per kwartaal het recyclingpercentage per stroom.",
                         "Inzamelvoertuigen rijden emissievrij binnen de bebouwde kom.",
                         "Inschrijvers hebben minimaal niveau 3 op de CO2-Prestatieladder."],
    },
    "green-maintenance": {
        "cpv": ["77310000", "77311000", "77313000", "77314000", "77312000", "77320000", "77340000", "77211500",
                "77211400", "45112710", "03441000"],
        "cpv_broad": ["77300000", "77310000"],
        "cpv_division": "77000000",
        "strategies": ["R2", "R8", "R9", "R7", "R3"],
        "core_strategies": ["R2", "R8"],
        "materials": ["bio-based", "soil", "organic-waste", "wood", "gravel"],
        "core_materials": ["bio-based", "soil", "organic-waste"],
        "certs": ["co2-prestatieladder-2", "co2-prestatieladder-3", "co2-prestatieladder-4", "iso-14001", "psu",
                  "milieukeur"],
        "tender_certs": ["co2-prestatieladder-3", "iso-14001"],
        "topics": ["sme-access", "co2-reduction", "social-return", "joint-procurement"],
        "short": "circulair groenbeheer",
        "plural": "groenbestekken",
        "buyer": "groenbeheer waarbij maaisel wordt benut",
        "did": "een groenbestek gegund waarin maaisel en snoeihout als grondstof worden benut",
        "name_cores": ["Groen", "Hoveniers", "Tuin", "Boom", "Groenbeheer", "Natuur", "Bermbeheer"],
        "supplier": [
            "Groenbeheer met elektrisch gereedschap; maaisel gaat naar compostering in de regio.",
            "Snoeihout verwerken tot houtsnippers, biochar of bouwmateriaal.",
            "Ecologisch bermbeheer: minder vaak maaien, meer biodiversiteit en hergebruik van maaisel.",
            "Boomverzorging en vellen, waarbij stammen worden verzaagd tot planken voor meubels.",
            "Aanleg van groene schoolpleinen met hergebruikte tegels en lokale grond.",
            "Wij maken bodemverbeteraar van groenafval en leveren die terug aan de gemeente.",
            "Sportvelden onderhouden zonder kunstmest, met compost uit eigen groenafval.",
        ],
        "supplier_en": ["Ecological maintenance of green areas; cuttings are composted or turned into building material."],
        "tenders": [
            ("Groenonderhoud openbare ruimte {year}", "{org} besteedt het onderhoud van de openbare ruimte aan, met ecologisch maaien en hergebruik van maaisel."),
            ("Boomonderhoud en snoeihout", "{org} zoekt een partij voor boomonderhoud die snoeihout verwerkt tot biobased producten."),
            ("Bermbeheer en maaisel", "Voor het bermbeheer vraagt {org} een aanpak waarin maaisel als grondstof wordt benut."),
            ("Onderhoud sportvelden {year}", "{org} besteedt het onderhoud van de sportvelden aan, zonder kunstmest en met compost uit eigen groenafval."),
        ],
        "tender_en": ["{org} tenders the maintenance of green areas, with ecological mowing and reuse of cuttings."],
        "requirements": ["Minimaal 80% van het materieel is elektrisch of rijdt op HVO.",
                         "Maaisel en snoeihout worden hoogwaardig verwerkt, niet verbrand.",
                         "Ruimte voor lokale mkb-hoveniers via percelen."],
    },
    "lighting": {
        "cpv": ["31500000", "31520000", "31524000", "31527200", "31527260", "34928500", "34928510", "34993000",
                "50232100", "31530000"],
        "cpv_broad": ["31500000", "34928500"],
        "cpv_division": "31000000",
        "strategies": ["R2", "R4", "R5", "R8", "R1"],
        "core_strategies": ["R2", "R4", "R5"],
        "materials": ["lighting", "aluminium", "metals", "glass"],
        "core_materials": ["lighting"],
        "certs": ["iso-14001", "co2-prestatieladder-3", "cradle-to-cradle", "iso-9001"],
        "tender_certs": ["iso-14001", "co2-prestatieladder-3", "cradle-to-cradle"],
        "topics": ["product-as-a-service", "tco", "financing", "co2-reduction"],
        "short": "licht als dienst",
        "plural": "verlichtingsaanbestedingen",
        "buyer": "openbare verlichting als dienst",
        "did": "de openbare verlichting als dienst ingekocht, met terugname van armaturen",
        "name_cores": ["Licht", "Lamp", "LED", "Verlichting", "Lumen", "Armatuur"],
        "supplier": [
            "Licht als dienst: wij blijven eigenaar van de armaturen en u betaalt per lux.",
            "LED-retrofit van bestaande armaturen, zodat behuizing en mast blijven staan.",
            "Openbare verlichting met modulaire armaturen waarvan onderdelen los te vervangen zijn.",
            "Wij reviseren lichtmasten en armaturen en zetten ze opnieuw in op een andere locatie.",
            "Onderhoud van straatverlichting met een storingsdienst en reparatie in eigen werkplaats.",
            "Kantoorverlichting met sensoren, dimbaar en volledig terug te nemen aan het einde van het contract.",
        ],
        "supplier_en": ["Light as a service: we own and maintain the fittings, and you pay for the light you use."],
        "tenders": [
            ("Licht als dienst {obj}", "{org} wil de verlichting van {obj} als dienst afnemen: de leverancier blijft eigenaar en neemt terug."),
            ("Vervanging openbare verlichting {year}", "{org} vervangt de openbare verlichting en vraagt modulaire armaturen die te repareren zijn."),
            ("LED-retrofit lichtmasten", "{org} zoekt een partij die bestaande lichtmasten hergebruikt en alleen de armaturen vervangt."),
            ("Onderhoud straatverlichting", "{org} besteedt het onderhoud van de straatverlichting aan, met reparatie boven vervanging."),
        ],
        "tender_en": ["{org} seeks light as a service for {obj}, with maintenance and take-back of all fittings."],
        "requirements": ["Armaturen zijn modulair en onderdelen blijven tien jaar leverbaar.",
                         "Wij vragen een businesscase op basis van total cost of ownership.",
                         "De leverancier neemt de oude armaturen terug voor hergebruik of recycling."],
    },
    "vehicles": {
        "cpv": ["34100000", "34144900", "34110000", "34115000", "34130000", "34144700", "34144910", "50110000",
                "34430000", "31440000"],
        "cpv_broad": ["34100000", "34144900"],
        "cpv_division": "34000000",
        "strategies": ["R2", "R3", "R4", "R1", "R8"],
        "core_strategies": ["R2", "R3", "R4"],
        "materials": ["vehicles", "batteries", "rubber"],
        "core_materials": ["vehicles", "batteries"],
        "certs": ["co2-prestatieladder-3", "co2-prestatieladder-4", "iso-14001", "iso-9001"],
        "tender_certs": ["co2-prestatieladder-3", "iso-14001"],
        "topics": ["financing", "tco", "co2-reduction", "product-as-a-service"],
        "short": "emissievrij wagenpark",
        "plural": "wagenparkaanbestedingen",
        "buyer": "een emissievrij wagenpark",
        "did": "het wagenpark verduurzaamd met elektrische bedrijfswagens en deelauto's",
        "name_cores": ["Mobiliteit", "E-Mobility", "Fiets", "Wagenpark", "Elektrisch Rijden", "Accu", "Bakfiets"],
        "supplier": [
            "Wij bouwen dieselbusjes om naar elektrische bedrijfswagens, zodat het chassis behouden blijft.",
            "Elektrische deelauto's voor gemeenten: minder voertuigen, hoger gebruik.",
            "Revisie en hergebruik van accupakketten uit elektrische voertuigen voor energieopslag.",
            "Onderhoud en reparatie van elektrische voertuigen en bakfietsen in de regio.",
            "Gebruikte elektrische bedrijfswagens, gecontroleerd en met garantie, in lease of koop.",
            "Fietsen en e-bikes als dienst voor medewerkers, inclusief onderhoud en terugname.",
        ],
        "supplier_en": ["We convert diesel vans into electric vans, keeping the chassis and cutting emissions."],
        "tenders": [
            ("Elektrische bedrijfswagens buitendienst", "{org} zoekt elektrische bedrijfswagens voor de buitendienst, bij voorkeur omgebouwd of gebruikt."),
            ("Deelauto's voor medewerkers",
             "{org} wil het wagenpark verkleinen met gedeelde elektrische auto's voor medewerkers."),
            ("Onderhoud wagenpark {year}",
             "Voor het onderhoud van het wagenpark vraagt {org} reparatie boven vervanging en hergebruik van accu's."),
            ("Verduurzaming wagenpark {year}", "{org} vervangt de dieselbusjes door elektrische voertuigen en vraagt ombouw waar dat kan."),
        ],
        "tender_en": ["{org} wants electric utility vehicles for its field services, preferably converted or second-hand."],
        "requirements": ["Alle voertuigen zijn emissievrij.",
                         "De leverancier neemt accu's terug voor hergebruik of recycling.",
                         "Gunning op total cost of ownership over acht jaar."],
    },
    "carpet": {
        "cpv": ["39530000", "39531000", "39531400", "39533000", "44112200", "45432100", "45432110"],
        "cpv_broad": ["39530000", "39500000"],
        "cpv_division": "39000000",
        "strategies": ["R5", "R8", "R3", "R2"],
        "core_strategies": ["R5", "R8"],
        "materials": ["carpet", "textiles", "bio-based"],
        "core_materials": ["carpet"],
        "certs": ["cradle-to-cradle", "eu-ecolabel", "iso-14001", "milieukeur"],
        "tender_certs": ["cradle-to-cradle", "eu-ecolabel"],
        "topics": ["reverse-logistics", "circular-specifications", "material-passports", "product-as-a-service"],
        "short": "circulaire vloerbedekking",
        "plural": "aanbestedingen voor vloerbedekking",
        "buyer": "vloerbedekking met terugnamegarantie",
        "did": "tapijttegels laten leggen met een terugnamegarantie",
        "name_cores": ["Tapijt", "Vloer", "Vloeren", "Tapijttegel", "Vloerbedekking"],
        "supplier": [
            "Tapijttegels van gerecycled garen, met terugname en recycling na gebruik.",
            "Wij reinigen en herleggen gebruikte tapijttegels, zodat ze een tweede leven krijgen.",
            "Vloerbedekking als dienst: wij leggen, onderhouden en nemen terug.",
            "Vloeren van biobased materialen zoals linoleum en kurk.",
            "Oude vloerbedekking scheiden in garen en rug, zodat beide opnieuw gebruikt worden.",
        ],
        "supplier_en": ["Carpet tiles made from recycled yarn, with take-back and recycling at end of use."],
        "tenders": [
            ("Vloerbedekking {obj}", "{org} vervangt de vloerbedekking in {obj} en vraagt tapijttegels met gerecycled garen en terugname."),
            ("Herleggen tapijttegels {obj}", "{org} wil de bestaande tapijttegels in {obj} laten reinigen en herleggen waar dat kan."),
            ("Circulaire tapijttegels kantoor", "{org} zoekt vloerbedekking als dienst voor de kantoren: leggen, onderhouden en terugnemen."),
        ],
        "tender_en": ["{org} replaces the flooring in {obj} and asks for recycled carpet tiles with take-back."],
        "requirements": ["De leverancier neemt oude en nieuwe vloerbedekking terug.",
                         "Cradle to Cradle Certified of gelijkwaardig."],
    },
    "paper-printing": {
        "cpv": ["30197000", "30197600", "30197630", "30197640", "30199000", "30199700", "22000000", "22458000",
                "79810000", "79820000", "79824000"],
        "cpv_broad": ["22000000", "30190000", "79800000"],
        "cpv_division": "22000000",
        "strategies": ["R2", "R8", "R0"],
        "core_strategies": ["R2", "R8"],
        "materials": ["paper"],
        "core_materials": ["paper"],
        "certs": ["fsc", "pefc", "eu-ecolabel", "milieukeur", "iso-14001"],
        "tender_certs": ["fsc", "eu-ecolabel"],
        "topics": ["circular-specifications", "sme-access", "co2-reduction"],
        "short": "duurzaam drukwerk en papier",
        "plural": "drukwerkaanbestedingen",
        "buyer": "minder drukwerk op gerecycled papier",
        "did": "het drukwerk teruggebracht en gerecycled papier voorgeschreven",
        "name_cores": ["Print", "Papier", "Drukwerk", "Drukkerij", "Grafisch", "Kantoorartikelen"],
        "supplier": [
            "Drukwerk op gerecycled en FSC-papier, met plantaardige inkten.",
            "Wij drukken op aanvraag, zodat er geen oplagen op de plank blijven liggen.",
            "Kantoorpapier en enveloppen van 100% gerecycled papier.",
            "Grafisch ontwerp dat papier bespaart: kleinere formaten, digitale alternatieven en minder oplage.",
            "Oud papier van de klant wordt bij ons verwerkt tot nieuwe notitieblokken.",
        ],
        "supplier_en": ["Printing on recycled and FSC paper with plant-based inks, printed on demand."],
        "tenders": [
            ("Raamovereenkomst drukwerk", "{org} zoekt een drukkerij die op gerecycled of FSC-papier drukt en op aanvraag produceert."),
            ("Drukwerk en kantoorpapier {year}", "{org} besteedt het kantoorpapier en drukwerk aan, met minder volume en gerecycled papier."),
            ("Duurzaam kantoorpapier", "{org} vraagt kantoorpapier en enveloppen van gerecycled papier, met een rapportage van het verbruik."),
        ],
        "tender_en": ["{org} tenders printing and office paper: recycled or FSC paper, printed on demand."],
        "requirements": ["Papier is FSC- of PEFC-gecertificeerd of 100% gerecycled.",
                         "Wij vragen een jaarlijkse rapportage van het papierverbruik."],
    },
}

THEME_EN = {
    "office-furniture": "office furniture", "ict-hardware": "ICT hardware", "workwear": "workwear",
    "construction": "construction and civil works", "catering": "catering", "cleaning": "cleaning",
    "waste": "waste management", "green-maintenance": "green maintenance", "lighting": "lighting",
    "vehicles": "vehicles", "carpet": "carpet and flooring", "paper-printing": "paper and printing",
}

# Pairs of themes one company plausibly covers.
THEME_PAIRS = [
    ("office-furniture", "carpet"), ("office-furniture", "workwear"), ("ict-hardware", "paper-printing"),
    ("construction", "green-maintenance"), ("waste", "green-maintenance"), ("cleaning", "catering"),
    ("lighting", "construction"), ("vehicles", "waste"), ("workwear", "carpet"), ("cleaning", "waste"),
    ("ict-hardware", "office-furniture"), ("lighting", "vehicles"),
]

# How often each theme occurs among suppliers and tenders.
THEME_WEIGHT = {
    "office-furniture": 10, "ict-hardware": 10, "workwear": 6, "construction": 18, "catering": 6, "cleaning": 6,
    "waste": 8, "green-maintenance": 9, "lighting": 6, "vehicles": 6, "carpet": 4, "paper-printing": 4,
}
# Themes that water boards and provinces tender.
WATER_BOARD_THEMES = ["construction", "green-maintenance", "waste", "vehicles", "ict-hardware", "workwear"]
PROVINCE_THEMES = ["construction", "lighting", "vehicles", "green-maintenance", "ict-hardware", "office-furniture"]

BUILDINGS = ["het nieuwe stadskantoor", "het gemeentehuis", "de bibliotheek", "de scholen", "het servicecentrum",
             "de sporthal", "het zwembad", "de gemeentewerf", "het cultuurcentrum", "de brandweerkazerne",
             "het raadhuis", "het archief", "de buitendienstlocatie", "het kantoor aan de markt"]
PROVINCE_BUILDINGS = ["het provinciehuis", "het steunpunt wegen", "het provinciale kantoor"]
WATER_BUILDINGS = ["het waterschapshuis", "de rioolwaterzuivering", "het gemaal", "de steunpuntlocatie"]
STREETS = ["Stationsweg", "Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Havenkade", "Burgemeester "
           "Roelenweg", "Nieuwe Markt", "Parallelweg", "IJsselkade", "Wilhelminalaan", "Industrieweg", "Dijkweg",
           "Rijksstraatweg", "Vaartweg", "Julianastraat"]

# Extras that only fit companies delivering goods.
PRODUCT_THEMES = {"office-furniture", "ict-hardware", "workwear", "construction", "lighting", "vehicles", "carpet"}
PRODUCT_EXTRAS = [
    "Terugnamegarantie aan het einde van de gebruiksduur.",
    "Bij elke levering hoort een materialenpaspoort.",
    "Onderdelen en reparaties blijven minimaal tien jaar beschikbaar.",
]
GENERIC_EXTRAS = [
    "Wij werken met mensen met een afstand tot de arbeidsmarkt.",
    "Levering en montage in heel {province}.",
    "Wij rapporteren de CO2-besparing per opdracht.",
    "Ervaring met raamovereenkomsten voor gemeenten en provincies.",
    "Klein, flexibel en lokaal: wij zitten in {place}.",
    "Transparante prijsopbouw op basis van total cost of ownership.",
    "Familiebedrijf sinds 1987, nu volledig gericht op circulair werken.",
    "Wij denken graag mee in een marktconsultatie.",
    "Samen met andere mkb-bedrijven schrijven wij in als combinatie.",
    "Onze werkplaats staat open voor een bezoek van inkopers.",
    "Klanten zijn onder meer gemeenten, waterschappen en scholen in {province}.",
    "Wij leveren binnen twee weken, ook kleine aantallen.",
    "Met {n} medewerkers zijn we groot genoeg voor raamcontracten en klein genoeg voor maatwerk.",
    "Opgericht in {year} als start-up vanuit de regio {place}.",
    "Wij meten de circulariteit van elke levering met een erkende methode.",
    "Wij zoeken partners voor gezamenlijke inschrijvingen.",
]
GENERIC_EXTRAS_EN = ["Take-back guaranteed at end of use.", "We report CO2 savings for every contract.",
                     "Small, flexible and local.", "Experienced with framework agreements for public buyers."]

FREE_MATERIALS = ["kurk", "hennep", "vlas", "mycelium", "olifantsgras", "lisdodde", "oesterschelpen", "denim",
                  "stro", "zeewier"]
FREE_MATERIAL_THEMES = {"kurk": ["office-furniture", "carpet", "construction"],
                        "hennep": ["construction", "workwear"], "vlas": ["construction", "workwear"],
                        "mycelium": ["office-furniture", "construction"],
                        "olifantsgras": ["construction", "green-maintenance"],
                        "lisdodde": ["construction", "green-maintenance"], "oesterschelpen": ["construction"],
                        "denim": ["workwear", "office-furniture", "carpet"], "stro": ["construction"],
                        "zeewier": ["catering", "paper-printing"]}

SUPPLIER_PREFIXES = ["Kringloop", "Circulair", "Eco", "Groen", "Duurzaam", "Tweede Leven", "Nieuw Leven",
                     "Reststroom", "Cirkel", "Oogst", "Loop"]
LEGAL_FORMS = ["BV", "BV", "BV", "B.V.", "", "", "VOF", "& Zn", "Coöperatie U.A."]
GENERAL_SUPPLIER_TEXT = {
    "construction": ["Algemeen aannemer voor utiliteitsbouw, renovatie en onderhoud; wij denken graag mee over circulaire oplossingen.",
                     "Bouwbedrijf voor nieuwbouw en renovatie in de regio, met steeds meer hergebruik van materialen."],
    "office-furniture": ["Algemene leverancier van inrichting en meubilair voor kantoren, scholen en zorg."],
    "ict-hardware": ["Algemene leverancier van kantoor- en computerapparatuur voor overheden en onderwijs."],
    "waste": ["Milieudienstverlener voor inzameling, reiniging en verwerking, voor bedrijven en overheden."],
    "cleaning": ["Facilitair dienstverlener: schoonmaak, afval en gebouwbeheer uit één hand."],
    "green-maintenance": ["Hoveniers- en groenbedrijf voor aanleg en onderhoud van openbaar groen."],
    "vehicles": ["Dealer en werkplaats voor personen- en bedrijfsauto's, ook elektrisch."],
    "lighting": ["Elektrotechnisch installateur voor gebouwen en openbare ruimte."],
    "workwear": ["Groothandel in kleding, schoenen en persoonlijke beschermingsmiddelen."],
    "catering": ["Horeca- en cateringbedrijf voor evenementen, kantines en vergaderingen."],
    "paper-printing": ["Zakelijke dienstverlener voor drukwerk, post en kantoorbenodigdheden."],
    "carpet": ["Woninginrichter en stoffeerder voor kantoren en woningen."],
}

# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def organization_size(prof: dict) -> str:
    """The EU size class of a supplier: LARGE for the tag "grootbedrijf", else micro, small or medium (the SMEs,
    in about the proportions of Dutch firms that supply municipalities), drawn from the profile's id so that no
    other value of the data set moves."""
    if "grootbedrijf" in prof["tags"]:
        return "ORGANIZATION_SIZE_LARGE"
    size = random.Random(f"size:{prof['id']}").choices(["MICRO", "SMALL", "MEDIUM"], weights=[5, 3, 2])[0]
    return f"ORGANIZATION_SIZE_{size}"


def rand_date(rng: random.Random, start: datetime, end: datetime) -> datetime:
    days = (end - start).days
    d = start + timedelta(days=rng.randint(0, days))
    return d.replace(hour=rng.choice([0, 9, 12, 12, 12, 17]), minute=0, second=0)


def sample(rng: random.Random, items: list, k_min: int, k_max: int) -> list:
    k = rng.randint(k_min, min(k_max, len(items)))
    return rng.sample(items, k)


def dedup(seq: list) -> list:
    seen: dict = {}
    for x in seq:
        seen.setdefault(x, None)
    return list(seen)


def weighted_choice(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def region_of(municipality: str) -> str | None:
    for tag, members in REGIONS.items():
        if municipality in members:
            return tag
    return None


def org_place(municipality: str) -> str:
    return COMMON_NAME.get(municipality, municipality)


def municipal_org(municipality: str) -> str:
    return f"Gemeente {org_place(municipality)}"


def facets(**kw) -> dict:
    """A Facets object in proto3 JSON form, without empty fields."""
    out = {}
    for key in ("cpvCodes", "strategies", "materials", "certifications", "phases", "topics"):
        vals = kw.get(key) or []
        if vals:
            out[key] = dedup(vals)
    if kw.get("text"):
        out["text"] = kw["text"]
    return out


# --------------------------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------------------------


class Generator:
    def __init__(self, vocab: Vocab, seed: int):
        self.v = vocab
        self.rng = random.Random(seed)
        self.profiles: list[dict] = []
        self.green_deal: dict[str, bool] = {}  # organization -> signed the Green Deal Circulair Inkopen
        self.buyers: list[dict] = []
        self.used_names: set[str] = set()
        self.validate_static()

    # ---- static data ------------------------------------------------------------------------------------------
    def validate_static(self) -> None:
        v = self.v
        for tag, members in REGIONS.items():
            for m in members:
                v.check_municipality(m, f"region {tag}")
        for m in list(CITY_WEIGHT) + list(PROVINCE_SEATS.values()) + [s for _, s in WATER_BOARDS] + list(AREA_CODE):
            v.check_municipality(m, "static municipality list")
        provinces = {row["province"] for row in v.municipalities.values()}
        if set(PROVINCE_SEATS) != provinces:
            die(f"province list differs from nl_municipalities.csv: {sorted(provinces ^ set(PROVINCE_SEATS))}")
        for name, t in THEMES.items():
            for c in t["cpv"] + t["cpv_broad"] + [t["cpv_division"]]:
                v.check_cpv(c, f"theme {name}")
            if v.cpv[t["cpv_division"]]["level"] != "1":
                die(f"theme {name}: {t['cpv_division']} is not a division-level code")
            for s in t["strategies"] + t["core_strategies"]:
                v.check_id("strategies", s, f"theme {name}")
            for m in t["materials"] + t["core_materials"]:
                v.check_id("materials", m, f"theme {name}")
            for c in t["certs"] + t["tender_certs"]:
                v.check_id("certifications", c, f"theme {name}")
            for tp in t["topics"]:
                v.check_id("topics", tp, f"theme {name}")
        if set(THEME_EN) != set(THEMES) or set(THEME_WEIGHT) != set(THEMES):
            die("THEME_EN / THEME_WEIGHT do not cover the same themes as THEMES")
        for m in FREE_MATERIALS:
            if m in v.lists["materials"]:
                die(f"free material {m!r} is a controlled id; pick another word")

    # ---- common pieces ----------------------------------------------------------------------------------------
    def location(self, municipality: str, coord_prob: float = 0.0) -> dict:
        self.v.check_municipality(municipality, "location")
        if self.rng.random() < coord_prob:
            row = self.v.municipalities[municipality]
            lat = round(row["lat"] + self.rng.uniform(-0.03, 0.03), 5)
            lon = round(row["lon"] + self.rng.uniform(-0.045, 0.045), 5)
            return {"coordinates": {"latitude": lat, "longitude": lon}}
        return {"municipality": municipality}

    def visibility(self, private_prob: float = 0.08) -> str:
        return "VISIBILITY_PRIVATE" if self.rng.random() < private_prob else "VISIBILITY_SHARED"

    def region_tags(self, municipality: str) -> list[str]:
        r = region_of(municipality)
        return [r] if r else []

    def pick_theme(self, allowed: list[str] | None = None) -> str:
        weights = {k: w for k, w in THEME_WEIGHT.items() if allowed is None or k in allowed}
        return weighted_choice(self.rng, weights)

    def co2_level(self, low: int = 1) -> str:
        levels = [l for l in (1, 2, 3, 4, 5) if l >= low]
        w = {1: 5, 2: 15, 3: 50, 4: 15, 5: 15}
        return f"co2-prestatieladder-{self.rng.choices(levels, weights=[w[l] for l in levels])[0]}"

    def theme_cpv(self, theme: str, k_min: int, k_max: int, broad_prob: float) -> list[str]:
        t = THEMES[theme]
        codes = sample(self.rng, t["cpv"], k_min, k_max)
        if self.rng.random() < broad_prob:
            codes.insert(0, self.rng.choice(t["cpv_broad"]))
        return codes

    def theme_strategies(self, theme: str, k_max: int = 3) -> list[str]:
        t = THEMES[theme]
        core = sample(self.rng, t["core_strategies"], 1, len(t["core_strategies"]))
        extra = [s for s in t["strategies"] if s not in core]
        if extra and self.rng.random() < 0.35:
            core.append(self.rng.choice(extra))
        return sorted(core[:k_max], key=lambda s: int(s[1:]))

    def theme_materials(self, theme: str, k_max: int = 3) -> list[str]:
        t = THEMES[theme]
        mats = list(t["core_materials"][:1]) if t["core_materials"] else []
        others = [m for m in t["materials"] if m not in mats]
        if others:
            mats += sample(self.rng, others, 0 if mats else 1, max(0, k_max - len(mats)))
        return mats

    def obj(self, kind: str) -> str:
        if kind == "province":
            return self.rng.choice(PROVINCE_BUILDINGS + BUILDINGS[:3])
        if kind == "water":
            return self.rng.choice(WATER_BUILDINGS)
        return self.rng.choice(BUILDINGS)

    # ---- buyers -----------------------------------------------------------------------------------------------
    def make_buyers(self) -> None:
        rng = self.rng
        cluster = [m for members in REGIONS.values() for m in members]
        others = sorted(m for m in self.v.municipalities if m not in cluster)
        chosen = cluster + rng.sample(others, N_MUNICIPAL_BUYERS - len(cluster))
        chosen.sort(key=lambda m: self.v.municipalities[m]["gm_code"])
        entries = [("municipality", municipal_org(m), m) for m in chosen]
        entries += [("province", f"Provincie {p}", seat) for p, seat in PROVINCE_SEATS.items()]
        entries += [("water", name, seat) for name, seat in WATER_BOARDS]
        for i, (kind, org, seat) in enumerate(entries, 1):
            in_region = region_of(seat) is not None and kind == "municipality"
            gd = rng.random() < (0.55 if in_region else 0.3 if kind == "municipality" else 0.6)
            self.green_deal[org] = gd
            if kind == "water":
                themes = sample(rng, WATER_BOARD_THEMES, 2, 4)
            elif kind == "province":
                themes = sample(rng, PROVINCE_THEMES, 3, 5)
            else:
                themes = []
                want = rng.randint(2, 4)
                while len(themes) < want:
                    th = self.pick_theme()
                    if th not in themes:
                        themes.append(th)
            cpv, strat, mats, certs = [], [], [], []
            for th in themes:
                cpv += self.theme_cpv(th, 1, 2, broad_prob=0.5)
                strat += self.theme_strategies(th, 2)
                mats += self.theme_materials(th, 2)
            if rng.random() < 0.5:
                certs.append("iso-14001")
            if "construction" in themes and rng.random() < 0.7:
                certs.append(self.co2_level(low=3))
            strat = sorted(dedup(strat), key=lambda s: int(s[1:]))
            text = self.buyer_text(org, kind, themes, gd)
            name, box = person(rng)
            domain = self.org_domain(kind, org, seat)
            prof = {
                "id": f"buyer-{i:04d}",
                "kind": "PROFILE_KIND_BUYER",
                "displayName": org if kind != "municipality" or rng.random() < 0.7 else f"{org} – inkoop en aanbesteden",
                "organization": org,
                "location": self.location(seat),
                "visibility": self.visibility(0.05),
                "contact": {"name": name, "email": f"{box}@{domain}" if rng.random() < 0.6 else f"inkoop@{domain}",
                            "phone": phone(rng, seat), "shareConsent": rng.random() < 0.85},
                "needs": facets(cpvCodes=cpv, strategies=strat, materials=mats, certifications=certs, text=text),
                "tags": dedup(self.region_tags(seat) + (["green-deal"] if gd else [])
                              + [{"municipality": "gemeente", "province": "provincie", "water": "waterschap"}[kind]]),
            }
            self.profiles.append(prof)
            self.buyers.append({"profile": prof, "kind": kind, "org": org, "seat": seat, "themes": themes,
                                "domain": domain})

    def org_domain(self, kind: str, org: str, seat: str) -> str:
        if kind == "municipality":
            return f"{ascii_slug(org_place(seat))}.example.nl"
        if kind == "province":
            return f"provincie-{ascii_slug(org.removeprefix('Provincie '))}.example.nl"
        short = org
        for p in ("Waterschap ", "Hoogheemraadschap van ", "Hoogheemraadschap ", "Wetterskip "):
            short = short.removeprefix(p)
        return f"{ascii_slug(short, '-')}.example.org"

    def buyer_text(self, org: str, kind: str, themes: list[str], gd: bool) -> str:
        rng = self.rng
        phrases = [THEMES[t]["buyer"] for t in themes]
        listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " en " + phrases[-1]
        if rng.random() < 0.04:
            en = ", ".join(THEME_EN[t] for t in themes)
            return f"{org} wants to buy more circularly; priorities: {en}."
        opening = rng.choice([
            f"{org} wil meer circulair inkopen, vooral {listed}.",
            f"Prioriteiten voor circulair inkopen bij {org}: {listed}.",
            f"In het inkoopplan van {org} staan {listed} centraal.",
            f"{org} zoekt marktpartijen voor {listed}.",
        ])
        extra = []
        if gd:
            extra.append(f"{org} heeft de Green Deal Circulair Inkopen ondertekend.")
        extra.append(rng.choice([
            "Wij willen in 2030 de helft van onze inkoop circulair doen.",
            "Lokale mkb-bedrijven en sociale ondernemingen nodigen wij graag uit voor marktconsultaties.",
            "Wij werken samen met buurgemeenten bij gezamenlijke aanbestedingen.",
            "Wij meten de circulariteit van onze contracten en rapporteren daarover jaarlijks.",
            "Social return is onderdeel van elke opdracht boven de drempel.",
            "",
        ]))
        return " ".join(s for s in [opening] + extra if s)

    # ---- tenders ----------------------------------------------------------------------------------------------
    def make_tenders(self) -> None:
        rng = self.rng
        weights = [3.0 if region_of(b["seat"]) and b["kind"] == "municipality" else 1.0 for b in self.buyers]
        pub_start, pub_end = datetime(2026, 1, 5, tzinfo=timezone.utc), datetime(2026, 11, 13, tzinfo=timezone.utc)
        used_names: set[str] = set()
        for i in range(1, N_TENDERS + 1):
            b = rng.choices(self.buyers, weights=weights, k=1)[0]
            theme = rng.choice(b["themes"]) if rng.random() < 0.85 else self.pick_theme(
                WATER_BOARD_THEMES if b["kind"] == "water" else PROVINCE_THEMES if b["kind"] == "province" else None)
            t = THEMES[theme]
            year = rng.choice(["2027", "2027-2030", "2027-2028", "2028"])
            obj = self.obj(b["kind"])
            street = rng.choice(STREETS)
            org = b["org"]
            english = rng.random() < 0.05
            # The English sentences paraphrase the first (name, text) pair of the theme.
            name_t, text_t = t["tenders"][0] if english else rng.choice(t["tenders"])
            name_obj = obj.removeprefix("het ").removeprefix("de ")
            name = name_t.format(obj=name_obj, year=year, street=street)
            name = name[0].upper() + name[1:]
            # Readable, unique display names: add the place, then a lot number.
            if name in used_names:
                name = f"{name} {org_place(b['seat'])}"
            lot = 1
            base = name
            while name in used_names:
                lot += 1
                name = f"{base} – perceel {lot}"
            used_names.add(name)
            if english:
                text = rng.choice(t["tender_en"]).format(org=org, obj=obj)
            else:
                text = text_t.format(org=org, obj=obj, street=street)
                text += " " + " ".join(sample(rng, t["requirements"], 1, 2))
            cpv = self.theme_cpv(theme, 1, 3, broad_prob=0.25)
            certs: list[str] = []
            r = rng.random()
            if r < 0.65:
                certs = sample(rng, t["tender_certs"], 1, 2)
                co2 = [c for c in certs if c.startswith("co2-prestatieladder")]
                if len(co2) > 1:
                    certs = [c for c in certs if c not in co2[1:]]
            closed = rng.random() < 0.10
            if closed:
                pub = rand_date(rng, datetime(2025, 2, 1, tzinfo=timezone.utc), datetime(2025, 12, 15, tzinfo=timezone.utc))
                close = pub + timedelta(days=rng.randint(35, 100))
                cap = datetime(2026, 3, 31, 12, tzinfo=timezone.utc)
                close = min(close, cap).replace(hour=12, minute=0, second=0)
            else:
                pub = rand_date(rng, pub_start, pub_end)
                if rng.random() < 0.07:
                    close = rand_date(rng, datetime(2026, 12, 1, tzinfo=timezone.utc), datetime(2026, 12, 22, tzinfo=timezone.utc))
                else:
                    close = rand_date(rng, datetime(2027, 1, 11, tzinfo=timezone.utc), datetime(2028, 10, 31, tzinfo=timezone.utc))
                close = close.replace(hour=12, minute=0, second=0)
            name_p, box = person(rng)
            prof = {
                "id": f"tender-{i:04d}",
                "kind": "PROFILE_KIND_TENDER",
                "displayName": name,
                "organization": org,
                "location": {"municipality": b["seat"]},
                "visibility": self.visibility(0.07),
                "contact": {"name": name_p, "email": f"{box}@{b['domain']}", "phone": phone(rng, b["seat"]),
                            "shareConsent": rng.random() < 0.8},
                "needs": facets(cpvCodes=cpv, strategies=self.theme_strategies(theme),
                                materials=self.theme_materials(theme), certifications=certs, text=text),
                "publicationTime": ts(pub),
                "closingTime": ts(close),
                "tags": dedup(self.region_tags(b["seat"]) + (["green-deal"] if self.green_deal[org] else [])
                              + [f"theme-{theme}"] + (["closed"] if closed else [])),
            }
            self.profiles.append(prof)

    # ---- suppliers --------------------------------------------------------------------------------------------
    def supplier_municipality(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.15:
            region = "regio-zwolle"
        elif r < 0.23:
            region = "foodvalley"
        elif r < 0.42:
            region = "mra"
        else:
            region = None
        if region:
            hub, w = REGION_HUB[region]
            members = REGIONS[region]
            return rng.choices(members, weights=[w if m == hub else 1 for m in members])[0]
        cluster = {m for members in REGIONS.values() for m in members}
        names = [m for m in self.v.municipalities if m not in cluster]
        return rng.choices(names, weights=[CITY_WEIGHT.get(m, 1) for m in names])[0]

    def supplier_name(self, theme: str, municipality: str, general: bool) -> str:
        rng = self.rng
        area_words = AREA_WORDS.get(region_of(municipality) or self.v.municipalities[municipality]["province"])
        place = org_place(municipality)
        if len(place) > 14 or "," in place or "(" in place or "'" in place:
            place = rng.choice(area_words)
        core = rng.choice(THEMES[theme]["name_cores"])
        for _ in range(50):
            pattern = rng.randint(0, 8)
            legal = rng.choice(LEGAL_FORMS)
            surname = rng.choice(SURNAMES)
            surname = surname[0].upper() + surname[1:]
            if general:
                name = rng.choice([f"{surname} {core} {legal}", f"{core}bedrijf {surname} {legal}",
                                   f"{core}groep {place} {legal}", f"{surname} & {rng.choice(SURNAMES).split()[-1]} {legal}"])
            elif pattern == 0:
                name = f"{rng.choice(SUPPLIER_PREFIXES)} {core} {place} {legal}"
            elif pattern == 1:
                name = f"Re{core.replace(' ', '').replace('-', '')} {place}"
            elif pattern == 2:
                name = f"Circulair {core} {rng.choice(area_words)}"
            elif pattern == 3:
                name = f"{surname} {core} {legal}"
            elif pattern == 4:
                name = f"{core}{rng.choice(['werk', 'huis', 'lab', 'fabriek', 'collectief', 'hub', 'punt'])} {place}"
            elif pattern == 5:
                name = f"De {rng.choice(['Groene', 'Nieuwe', 'Tweede', 'Ronde', 'Slimme', 'Eerlijke'])} {core} {legal}"
            elif pattern == 6:
                name = f"{core} {rng.choice(['& Co', 'Collectief', 'Coöperatie', 'Werkplaats', 'Centrale'])} {place}"
            elif pattern == 7:
                name = f"Stichting {rng.choice(['Kringloop', 'Werkplaats', 'Leerwerkbedrijf', 'Sociale Firma'])} {core} {place}"
            else:
                name = f"{rng.choice(SUPPLIER_PREFIXES)}{core.lower().replace(' ', '')} {legal}"
            name = " ".join(name.split())
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        die("could not find a unique supplier name")
        return ""

    def supplier_certs(self, themes: list[str], social: bool) -> list[str]:
        rng = self.rng
        if rng.random() < 0.18:
            return ["psu"] if social and rng.random() < 0.5 else []
        heavy = {"construction", "waste", "green-maintenance", "vehicles", "cleaning", "lighting"}
        certs: list[str] = []
        if rng.random() < 0.55:
            certs.append("iso-14001")
        if rng.random() < (0.65 if heavy & set(themes) else 0.12):
            certs.append(self.co2_level(low=2 if "construction" in themes else 1))
        for th in themes:
            for c in THEMES[th]["certs"]:
                if c in ("iso-14001", "psu", "pso-ladder") or c.startswith("co2-"):
                    continue
                if rng.random() < 0.3:
                    certs.append(c)
        if rng.random() < 0.22:
            certs.append("iso-9001")
        if social:
            certs.append(rng.choice(["psu", "psu", "pso-ladder"]))
        for c, p in (("bcorp", 0.03), ("emas", 0.015), ("iso-26000", 0.03), ("pso-ladder", 0.04)):
            if rng.random() < p:
                certs.append(c)
        return dedup(certs)

    def supplier_text(self, themes: list[str], general: bool, municipality: str, social: bool,
                      english: bool) -> str:
        rng = self.rng
        row = self.v.municipalities[municipality]
        if english:
            parts = [rng.choice(THEMES[th]["supplier_en"]) for th in themes]
            if rng.random() < 0.6:
                parts.append(rng.choice(GENERIC_EXTRAS_EN))
            return " ".join(dedup(parts))
        if general:
            parts = [rng.choice(GENERAL_SUPPLIER_TEXT[themes[0]])]
        else:
            parts = []
            for j, th in enumerate(themes):
                parts += sample(rng, THEMES[th]["supplier"], 1, 2 if j == 0 and len(themes) == 1 else 1)
        if social and rng.random() < 0.7:
            parts.append("Wij zijn een sociale onderneming: een groot deel van ons team had eerder geen werk.")
        extras = GENERIC_EXTRAS + (PRODUCT_EXTRAS if set(themes) & PRODUCT_THEMES else [])
        if rng.random() < 0.85:
            for extra in sample(rng, extras, 1, 2):
                parts.append(extra.format(province=row["province"], place=org_place(municipality),
                                          n=rng.choice([4, 6, 9, 12, 18, 25, 40, 65]),
                                          year=rng.randint(2012, 2024)))
        return " ".join(dedup(parts))

    def make_suppliers(self) -> None:
        rng = self.rng
        for i in range(1, N_SUPPLIERS + 1):
            municipality = self.supplier_municipality()
            r = rng.random()
            general = False
            if r < 0.72:
                themes = [self.pick_theme()]
            elif r < 0.90:
                themes = list(rng.choice(THEME_PAIRS))
            else:
                themes = [self.pick_theme()]
                general = True
            social = rng.random() < 0.08
            name = self.supplier_name(themes[0], municipality, general)
            if name.startswith("Stichting"):
                social = True
            english = rng.random() < 0.04
            cpv: list[str] = []
            strat: list[str] = []
            mats: list[str] = []
            if general:
                t = THEMES[themes[0]]
                cpv = [t["cpv_division"]]
                if rng.random() < 0.4:
                    cpv.append(rng.choice(t["cpv_broad"]))
                strat = sample(rng, t["core_strategies"], 0, 1)
                mats = sample(rng, t["materials"], 0, 2)
            else:
                for j, th in enumerate(themes):
                    cpv += self.theme_cpv(th, 1, 4 if j == 0 else 2, broad_prob=0.3)
                    strat += self.theme_strategies(th)
                    mats += self.theme_materials(th)
                if rng.random() < 0.06:
                    free = [m for m in FREE_MATERIALS if set(FREE_MATERIAL_THEMES[m]) & set(themes)]
                    if free:
                        mats.append(rng.choice(free))
            strat = sorted(dedup(strat), key=lambda s: int(s[1:]))
            certs = self.supplier_certs(themes, social)
            text = self.supplier_text(themes, general, municipality, social, english)
            if any(m in FREE_MATERIALS for m in mats) and not english:
                free_word = next(m for m in mats if m in FREE_MATERIALS)
                text += f" Wij werken ook met {free_word}."
            radius = 0 if rng.random() < 0.08 else rng.choice(range(15, 151, 5))
            if "construction" in themes or "waste" in themes:
                radius = radius and min(150, radius + rng.choice([0, 10, 25]))
            pname, box = person(rng)
            slug = ascii_slug(name.removesuffix(" BV").removesuffix(" B.V.").removesuffix(" Coöperatie U.A."), "-")
            while len(slug) > 32 and "-" in slug:
                slug = slug.rsplit("-", 1)[0]
            domain = f"{slug}.example.{rng.choice(['nl', 'nl', 'com'])}"
            prof = {
                "id": f"supplier-{i:04d}",
                "kind": "PROFILE_KIND_SUPPLIER",
                "displayName": name,
                "organization": name,
                "location": self.location(municipality, coord_prob=0.03),
                "visibility": self.visibility(0.1),
                "contact": {"name": pname,
                            "email": f"{box}@{domain}" if rng.random() < 0.5 else f"info@{domain}",
                            "phone": phone(rng, municipality, mobile=rng.random() < 0.3),
                            "shareConsent": rng.random() < 0.75},
                "capabilities": facets(cpvCodes=cpv, strategies=strat, materials=mats, certifications=certs,
                                       text=text),
                "tags": dedup(self.region_tags(municipality)
                              + (["green-deal"] if rng.random() < 0.12 else [])
                              + ["mkb" if rng.random() < 0.85 else "grootbedrijf"]
                              + (["social-enterprise"] if social else [])
                              + (["general"] if general else [])
                              + [f"theme-{th}" for th in themes]),
            }
            if radius:
                prof["serviceRadiusKm"] = radius
            prof["organizationSize"] = organization_size(prof)
            self.profiles.append(prof)

    # ---- buddies ----------------------------------------------------------------------------------------------
    def make_buddies(self) -> None:
        rng = self.rng
        municipal = [b for b in self.buyers if b["kind"] == "municipality"]
        by_region: dict[str, list[dict]] = {tag: [] for tag in REGIONS}
        by_province: dict[str, list[dict]] = {}
        for b in municipal:
            tag = region_of(b["seat"])
            if tag:
                by_region[tag].append(b)
            else:
                by_province.setdefault(self.v.municipalities[b["seat"]]["province"], []).append(b)
        # A province with few municipalities outside the networks (Flevoland keeps only Zeewolde) joins the
        # province whose municipalities are nearest on average, so that every group can form pairs.
        def centre(bs: list[dict]) -> tuple[float, float]:
            rows = [self.v.municipalities[b["seat"]] for b in bs]
            return sum(r["lat"] for r in rows) / len(rows), sum(r["lon"] for r in rows) / len(rows)

        for p in sorted(by_province, key=lambda p: len(by_province[p])):
            if p in by_province and len(by_province[p]) < 4:
                lat, lon = centre(by_province[p])
                target = min((q for q in by_province if q != p),
                             key=lambda q: (centre(by_province[q])[0] - lat) ** 2
                             + ((centre(by_province[q])[1] - lon) * 0.62) ** 2)
                by_province[target] += by_province.pop(p)
        # Groups within which helpers and seekers are paired: the three networks, then the provinces.
        groups: list[tuple[str, list[dict], int]] = [
            ("regio-zwolle", by_region["regio-zwolle"], 60),
            ("foodvalley", by_region["foodvalley"], 30),
            ("mra", by_region["mra"], 60),
        ]
        rest = N_BUDDIES - sum(g[2] for g in groups)
        provs = sorted(by_province)
        total = sum(len(by_province[p]) for p in provs)
        quotas = {p: max(3, round(rest * len(by_province[p]) / total)) for p in provs}
        while sum(quotas.values()) > rest:
            quotas[max(quotas, key=lambda p: quotas[p])] -= 1
        while sum(quotas.values()) < rest:
            quotas[max(quotas, key=lambda p: len(by_province[p]) / quotas[p])] += 1
        for p in provs:
            groups.append((p, by_province[p], quotas[p]))

        n = 0
        theme_names = list(THEMES)
        for gname, members, quota in groups:
            made = 0
            k = rng.randrange(len(theme_names))
            while made < quota:
                theme = theme_names[k % len(theme_names)]
                k += 1
                helper_b, seeker_b = rng.sample(members, 2)
                phases = sample(rng, ["needs-analysis", "market-consultation", "specification", "tendering",
                                      "contract-management", "evaluation"], 2, 3)
                phases.sort(key=lambda ph: int(self.v.lists["phases"][ph]["level"]))
                # The helper offers these codes; the seeker asks for one of them or the theme's broader code.
                pair_cpv = self.theme_cpv(theme, 1, 2, broad_prob=0.5)
                topics = dedup(sample(rng, THEMES[theme]["topics"], 1, 2)
                               + sample(rng, ["procurement-law", "market-dialogue", "award-criteria",
                                              "internal-stakeholders", "joint-procurement", "sme-access"], 0, 1))
                for role, b in (("helper", helper_b), ("seeker", seeker_b), ("mixed", None)):
                    if made >= quota:
                        break
                    if b is None:
                        b = rng.choice(members)
                    n += 1
                    made += 1
                    self.profiles.append(self.buddy(n, role, b, theme, phases, topics, pair_cpv))

    def buddy(self, n: int, role: str, b: dict, theme: str, phases: list[str], topics: list[str],
              pair_cpv: list[str]) -> dict:
        rng = self.rng
        t = THEMES[theme]
        org, seat = b["org"], b["seat"]
        name, box = person(rng)
        v = self.v
        english = rng.random() < 0.03
        if role == "helper":
            offers = facets(cpvCodes=pair_cpv,
                            strategies=self.theme_strategies(theme, 2), phases=phases, topics=topics,
                            text=self.buddy_offer_text(theme, phases, topics, org, english))
            asks = {}
            if rng.random() < 0.5:
                other = self.pick_theme([x for x in THEMES if x != theme])
                tp_a = sample(rng, THEMES[other]["topics"], 1, 1)
                asks = facets(topics=tp_a, cpvCodes=[rng.choice(THEMES[other]["cpv_broad"])],
                              text=self.buddy_ask_text(other, [], tp_a, english))
            capacity = rng.randint(1, 3)
        elif role == "seeker":
            ph = sample(rng, phases, 1, 2)
            tp = sample(rng, topics, 1, 2)
            asks = facets(cpvCodes=[rng.choice(pair_cpv + t["cpv_broad"][:1])],
                          strategies=sample(rng, t["core_strategies"], 0, 1), phases=ph, topics=tp,
                          text=self.buddy_ask_text(theme, ph, tp, english))
            offers = {}
            if rng.random() < 0.5:
                tp2 = sample(rng, ["procurement-law", "internal-stakeholders", "social-return", "sme-access",
                                   "joint-procurement"], 1, 1)
                offers = facets(topics=tp2, text=f"Ik kan helpen met {v.label_nl('topics', tp2[0])}.")
            capacity = rng.choice([0, 0, 1])
        else:  # mixed: has done one theme, needs help with another
            other = self.pick_theme([x for x in THEMES if x != theme])
            ph_o = sample(rng, phases, 1, 2)
            tp_o = sample(rng, t["topics"], 1, 2)
            offers = facets(cpvCodes=self.theme_cpv(theme, 1, 1, broad_prob=0.3), phases=ph_o, topics=tp_o,
                            text=self.buddy_offer_text(theme, ph_o, tp_o, org, english))
            tp_a = sample(rng, THEMES[other]["topics"], 1, 2)
            ph_a = sample(rng, ["market-consultation", "specification", "tendering", "contract-management"], 1, 1)
            asks = facets(cpvCodes=[rng.choice(THEMES[other]["cpv"] + THEMES[other]["cpv_broad"])],
                          strategies=sample(rng, THEMES[other]["core_strategies"], 0, 1), phases=ph_a,
                          topics=tp_a, text=self.buddy_ask_text(other, ph_a, tp_a, english))
            capacity = rng.randint(1, 2)
        tags = self.region_tags(seat) + ([f"{region_of(seat)}-2026"] if region_of(seat) else [])
        if self.green_deal[org]:
            tags.append("green-deal")
        tags.append(f"buddy-{role}")
        prof = {
            "id": f"buddy-{n:04d}",
            "kind": "PROFILE_KIND_BUDDY",
            "displayName": name,
            "organization": org,
            "location": self.location(seat, coord_prob=0.01),
            "visibility": self.visibility(0.06),
            "contact": {"name": name, "email": f"{box}@{b['domain']}",
                        "phone": phone(rng, seat, mobile=rng.random() < 0.5), "shareConsent": rng.random() < 0.8},
        }
        if offers:
            prof["offers"] = offers
        if asks:
            prof["asks"] = asks
        prof["capacity"] = capacity
        prof["tags"] = dedup(tags)
        return prof

    def buddy_offer_text(self, theme: str, phases: list[str], topics: list[str], org: str, english: bool) -> str:
        rng, v, t = self.rng, self.v, THEMES[theme]
        phases = sorted(phases, key=lambda ph: int(v.lists["phases"][ph]["level"]))
        ph = v.label_nl("phases", phases[0])
        tp = v.label_nl("topics", topics[0])
        if english:
            return (f"I have run {rng.choice(['two', 'three', 'several'])} tenders for {THEME_EN[theme]} "
                    f"and am happy to help with {v.lists['phases'][phases[0]]['label_en'].lower()}.")
        n = rng.choice(["twee", "drie", "vier", "een paar", "meerdere"])
        return rng.choice([
            f"Ik heb {n} {t['plural']} gedaan en help graag bij de {ph}.",
            f"Als inkoopadviseur bij {org} heb ik ervaring met {tp} bij {t['short']}. Ik denk graag mee over de {ph}.",
            f"Vorig jaar hebben wij {t['did']}. Ik deel graag wat goed ging en wat niet, vooral over {tp}.",
            f"Ervaren met {t['short']}: van {ph} tot {v.label_nl('phases', phases[-1])}. Bel of mail gerust.",
            f"Ik begeleid collega's bij {t['short']} en weet veel van {tp}.",
        ])

    def buddy_ask_text(self, theme: str, phases: list[str], topics: list[str], english: bool) -> str:
        rng, v, t = self.rng, self.v, THEMES[theme]
        tp = v.label_nl("topics", topics[0]) if topics else None
        ph = v.label_nl("phases", phases[0]) if phases else None
        if english:
            return f"We are starting a tender for {THEME_EN[theme]} and are looking for someone with experience."
        options = [f"Hoe schrijf je {t['short']} uit zonder het mkb uit te sluiten? Ik zoek een sparringpartner."]
        if ph:
            options.append(f"Wij starten in {rng.choice(['2027', 'het voorjaar', 'het najaar'])} met een aanbesteding "
                           f"voor {t['short']} en zoeken hulp bij de {ph}.")
        if tp:
            options.append(f"Ik ben nieuw in circulair inkopen en zoek iemand met ervaring in {tp} voor {t['short']}.")
            options.append(f"Wie heeft al eens {t['short']} ingekocht en kan mij helpen met {tp}?")
        return rng.choice(options)

    # ---- run --------------------------------------------------------------------------------------------------
    def run(self) -> list[dict]:
        self.make_buyers()
        self.make_tenders()
        self.make_suppliers()
        self.make_buddies()
        self.validate_profiles()
        return self.profiles

    def validate_profiles(self) -> None:
        v = self.v
        allowed = {"id", "kind", "displayName", "organization", "location", "serviceRadiusKm", "visibility",
                   "contact", "needs", "capabilities", "offers", "asks", "capacity", "publicationTime",
                   "closingTime", "tags", "organizationSize"}
        facet_keys = {"cpvCodes", "strategies", "materials", "certifications", "phases", "topics", "text"}
        facet_of = {"PROFILE_KIND_BUYER": ["needs"], "PROFILE_KIND_TENDER": ["needs"],
                    "PROFILE_KIND_SUPPLIER": ["capabilities"], "PROFILE_KIND_BUDDY": ["offers", "asks"]}
        ids: set[str] = set()
        for p in self.profiles:
            where = p["id"]
            if p["id"] in ids:
                die(f"duplicate id {p['id']}")
            ids.add(p["id"])
            if set(p) - allowed:
                die(f"{where}: unknown fields {sorted(set(p) - allowed)}")
            if p["kind"] not in facet_of:
                die(f"{where}: bad kind {p['kind']}")
            if "owner" in p:
                die(f"{where}: owner must be left empty")
            loc = p["location"]
            if "municipality" in loc:
                v.check_municipality(loc["municipality"], where)
            else:
                c = loc["coordinates"]
                if not (50.6 < c["latitude"] < 53.7 and 3.2 < c["longitude"] < 7.3):
                    die(f"{where}: coordinates outside the Netherlands: {c}")
            has_facets = False
            for key in ("needs", "capabilities", "offers", "asks"):
                if key not in p:
                    continue
                if key not in facet_of[p["kind"]]:
                    die(f"{where}: {key} is not read for {p['kind']}")
                f = p[key]
                if set(f) - facet_keys:
                    die(f"{where}.{key}: unknown fields {sorted(set(f) - facet_keys)}")
                has_facets = has_facets or bool(f)
                for c in f.get("cpvCodes", []):
                    v.check_cpv(c, f"{where}.{key}")
                for s in f.get("strategies", []):
                    v.check_id("strategies", s, f"{where}.{key}")
                for m in f.get("materials", []):
                    if m not in FREE_MATERIALS:
                        v.check_id("materials", m, f"{where}.{key}")
                for listname, fkey in (("certifications", "certifications"), ("phases", "phases"),
                                       ("topics", "topics")):
                    for x in f.get(fkey, []):
                        v.check_id(listname, x, f"{where}.{key}")
            if not has_facets:
                die(f"{where}: no facets")
            if p["kind"] == "PROFILE_KIND_TENDER":
                if not p["publicationTime"] < p["closingTime"]:
                    die(f"{where}: closing before publication")
            if p["kind"] == "PROFILE_KIND_BUDDY" and not 0 <= p["capacity"] <= 3:
                die(f"{where}: capacity out of range")
            if p["kind"] == "PROFILE_KIND_SUPPLIER" and not 0 <= p.get("serviceRadiusKm", 0) <= 150:
                die(f"{where}: service radius out of range")
            if "@" not in p["contact"]["email"] or ".example." not in p["contact"]["email"]:
                die(f"{where}: contact e-mail must use an example domain")


def summarize(profiles: list[dict], out: Path) -> None:
    kinds: dict[str, int] = {}
    for p in profiles:
        kinds[p["kind"]] = kinds.get(p["kind"], 0) + 1
    tags: dict[str, int] = {}
    for p in profiles:
        for t in p.get("tags", []):
            if t in ("regio-zwolle", "foodvalley", "mra", "green-deal", "closed"):
                tags[t] = tags.get(t, 0) + 1
    tenders = [p for p in profiles if p["kind"] == "PROFILE_KIND_TENDER"]
    closed = sum(1 for p in tenders if p["closingTime"] < "2026-11-22")
    coords = sum(1 for p in profiles if "coordinates" in p["location"])
    private = sum(1 for p in profiles if p["visibility"] == "VISIBILITY_PRIVATE")
    print(f"wrote {len(profiles)} profiles to {out} ({out.stat().st_size / 1e6:.2f} MB)")
    for k in ("PROFILE_KIND_BUYER", "PROFILE_KIND_TENDER", "PROFILE_KIND_SUPPLIER", "PROFILE_KIND_BUDDY"):
        print(f"  {k.removeprefix('PROFILE_KIND_').lower():9s} {kinds.get(k, 0):5d}")
    print(f"  tenders closed before 2026-11-22: {closed}; private profiles: {private}; with coordinates: {coords}")
    print("  tags: " + ", ".join(f"{t}={n}" for t, n in sorted(tags.items())))


def verify_file(path: Path, vocab: Vocab) -> None:
    """Re-read the written file: every line parses, ids are unique."""
    ids = set()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                die(f"{path}:{lineno}: not JSON: {e}")
            if obj["id"] in ids:
                die(f"{path}:{lineno}: duplicate id {obj['id']}")
            ids.add(obj["id"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default {DEFAULT_OUT})")
    args = ap.parse_args()
    vocab = Vocab(DATA)
    profiles = Generator(vocab, SEED).run()
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        for p in profiles:
            f.write(json.dumps(p, ensure_ascii=False, separators=(",", ":")) + "\n")
    verify_file(args.out, vocab)
    summarize(profiles, args.out)


if __name__ == "__main__":
    main()
