"""Invented people, addresses, organisations, dates and amounts for synthetic documents (no real persons)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

# (nationality code, surnames, male given names, female given names)
ORIGINS: list[tuple[str, list[str], list[str], list[str]]] = [
    ("TUR", ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Doğan", "Arslan", "Koç", "Kılıç", "Çakır", "Erdoğan", "Güneş"],
     ["Mehmet", "Mustafa", "Ahmet", "Hüseyin", "İbrahim", "Emre", "Murat", "Ömer", "Yusuf", "Burak", "Çağlar", "Serkan"],
     ["Ayşe", "Fatma", "Emine", "Zeynep", "Elif", "Özlem", "Gül", "Şeyma", "Büşra", "Derya", "Hatice"]),
    ("SYR", ["Hassan", "Al-Ahmad", "Khalil", "Haddad", "Mansour", "Al-Hussein", "Saleh", "Ibrahim", "Darwish", "Nasser", "Kassem", "Al-Khatib"],
     ["Mohammad", "Ahmad", "Ali", "Omar", "Khaled", "Yousef", "Mahmoud", "Hussam", "Bashar", "Rami", "Samer"],
     ["Fatima", "Aisha", "Rania", "Lina", "Hiba", "Nour", "Yasmin", "Rasha", "Amal", "Dima"]),
    ("AFG", ["Ahmadi", "Rahimi", "Hosseini", "Karimi", "Sultani", "Noori", "Mohammadi", "Habibi", "Rezaei", "Stanikzai"],
     ["Ahmad", "Farid", "Jawad", "Mustafa", "Rahmatullah", "Naqib", "Sayed", "Hamid", "Wahid"],
     ["Mariam", "Zahra", "Fereshta", "Shabnam", "Nargis", "Mahbooba", "Parwana"]),
    ("UKR", ["Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko", "Oliynyk", "Lysenko", "Marchenko"],
     ["Oleksandr", "Andrii", "Dmytro", "Serhii", "Volodymyr", "Mykola", "Yurii", "Bohdan"],
     ["Olena", "Iryna", "Nataliia", "Tetiana", "Oksana", "Yuliia", "Kateryna", "Svitlana"]),
    ("POL", ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Dąbrowski"],
     ["Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz", "Michał", "Grzegorz"],
     ["Anna", "Małgorzata", "Agnieszka", "Katarzyna", "Magdalena", "Joanna"]),
    ("ROU", ["Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Constantin", "Munteanu", "Ștefan"],
     ["Andrei", "Ion", "Mihai", "Gheorghe", "Florin", "Ștefan", "Vasile"],
     ["Maria", "Elena", "Ioana", "Andreea", "Mihaela", "Cristina"]),
    ("VNM", ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang"],
     ["Van Minh", "Duc Anh", "Quang Huy", "Thanh Tung", "Hoang Long"],
     ["Thi Lan", "Thi Hoa", "Thu Trang", "Ngoc Anh", "Thi Mai"]),
    ("IND", ["Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair"],
     ["Rahul", "Arjun", "Vikram", "Sanjay", "Rohit", "Aditya"],
     ["Priya", "Ananya", "Deepika", "Kavya", "Sneha", "Lakshmi"]),
    ("NGA", ["Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu", "Abubakar"],
     ["Chinedu", "Emeka", "Oluwaseun", "Ibrahim", "Tunde", "Uchenna"],
     ["Ngozi", "Chiamaka", "Folake", "Aisha", "Blessing", "Adaeze"]),
    ("SRB", ["Jovanović", "Petrović", "Nikolić", "Marković", "Đorđević", "Stojanović"],
     ["Nikola", "Marko", "Stefan", "Miloš", "Dragan"],
     ["Jelena", "Milica", "Ivana", "Dragana", "Marija"]),
    ("IRN", ["Hosseini", "Moradi", "Jafari", "Rahmani", "Sadeghi", "Tehrani"],
     ["Reza", "Ali", "Mehdi", "Hossein", "Amir", "Saeed"],
     ["Maryam", "Zahra", "Narges", "Leila", "Shirin", "Parisa"]),
    ("ERI", ["Tesfay", "Gebremedhin", "Habte", "Kidane", "Berhane", "Woldu"],
     ["Yonas", "Filmon", "Dawit", "Samuel", "Merhawi"],
     ["Senait", "Helen", "Luwam", "Mebrat", "Saba"]),
]

GERMAN_SURNAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
                   "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger",
                   "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Strauß", "Köhler"]
GERMAN_GIVEN = ["Thomas", "Andreas", "Michael", "Stefan", "Christian", "Jan", "Katrin", "Sabine", "Julia", "Claudia",
                "Petra", "Frank", "Markus", "Anja", "Birgit", "Jörg", "Uwe", "Heike", "Jürgen", "Susanne"]

CITIES = [("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"), ("50667", "Köln"), ("60311", "Frankfurt am Main"),
          ("70173", "Stuttgart"), ("40213", "Düsseldorf"), ("44135", "Dortmund"), ("45127", "Essen"), ("04109", "Leipzig"),
          ("28195", "Bremen"), ("01067", "Dresden"), ("30159", "Hannover"), ("90403", "Nürnberg"), ("47051", "Duisburg"),
          ("44787", "Bochum"), ("42103", "Wuppertal"), ("33602", "Bielefeld"), ("53111", "Bonn"), ("48143", "Münster"),
          ("76133", "Karlsruhe"), ("68159", "Mannheim"), ("86150", "Augsburg"), ("65183", "Wiesbaden"), ("52062", "Aachen")]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Dorfstraße", "Lindenstraße", "Bergstraße",
           "Kirchstraße", "Waldstraße", "Ringstraße", "Am Markt", "Friedrichstraße", "Goethestraße", "Schillerstraße",
           "Mozartweg", "Rosenweg", "Industriestraße", "Parkallee", "Weserstraße", "Rheinufer", "Kastanienallee",
           "Lessingstraße", "Blumenstraße", "Mühlenweg", "Hafenstraße"]
COMPANIES = ["Logistik Nord GmbH", "Bäckerei Sonnenschein", "Pflegedienst Lebensfreude gGmbH", "Rhein Reinigungsservice GmbH",
             "Autohaus Brandt KG", "IT-Solutions Weber GmbH", "Gasthaus Zur Linde", "Metallbau Krüger GmbH & Co. KG",
             "Klinikum am Stadtpark gGmbH", "Lagerhaus Süd AG", "Friseursalon Haarmonie", "Softwarehaus Nordlicht GmbH",
             "Baufirma Hoffmann & Söhne", "Supermarkt Frischeparadies OHG", "Hotel Am Dom GmbH", "Paketdienst Schnell GmbH",
             "Seniorenresidenz Abendrot", "Elektro Schulz GmbH", "Restaurant Bosporus", "Kita Regenbogen e.V."]
JOBS = ["Lagerhelfer", "Pflegefachkraft", "Softwareentwickler", "Koch", "Reinigungskraft", "Kraftfahrer", "Verkäufer",
        "Elektroniker", "Servicekraft", "Altenpflegehelfer", "Bäcker", "Friseurin", "Maschinenbauingenieur", "Buchhalterin",
        "Kommissionierer", "Rezeptionist", "Zahnmedizinische Fachangestellte", "Erzieherin"]
INSURERS = ["AOK Nordwest", "AOK Rheinland/Hamburg", "Techniker Krankenkasse", "BARMER", "DAK-Gesundheit", "IKK classic",
            "KKH Kaufmännische Krankenkasse", "hkk Krankenkasse", "BKK firmus", "Knappschaft"]
PRIVATE_INSURERS = ["Allianz Private Krankenversicherungs-AG", "DKV Deutsche Krankenversicherung AG", "Debeka Krankenversicherungsverein a.G.",
                    "HanseMerkur Krankenversicherung AG", "Signal Iduna Krankenversicherung a.G."]
LAW_FIRMS = ["Kanzlei Dr. Brandt & Partner", "Rechtsanwälte Yıldırım & Kollegen", "Anwaltskanzlei Hoffmann", "RAe Schulte, Öz & Partner mbB",
             "Kanzlei für Migrationsrecht Neumann", "Rechtsanwaltskanzlei Lehmann-Krause"]
BANKS = ["Sparkasse", "Volksbank", "Commerzbank", "Deutsche Bank", "Postbank", "ING"]


@dataclass(frozen=True)
class Person:
    """An invented person."""

    surname: str
    given_names: str
    date_of_birth: dt.date
    nationality: str
    sex: str  # 'M' or 'F'
    birthplace: str

    @property
    def full_name(self) -> str:
        """Given names then surname."""
        return f"{self.given_names} {self.surname}"


BIRTHPLACES = {
    "TUR": ["Ankara", "İstanbul", "İzmir", "Konya", "Gaziantep"], "SYR": ["Damaskus", "Aleppo", "Homs", "Latakia"],
    "AFG": ["Kabul", "Herat", "Mazar-e Sharif"], "UKR": ["Kyiv", "Charkiw", "Odesa", "Lwiw"], "POL": ["Kraków", "Łódź", "Gdańsk"],
    "ROU": ["București", "Cluj-Napoca", "Iași"], "VNM": ["Hanoi", "Hải Phòng", "Huế"], "IND": ["Bengaluru", "Chennai", "Pune"],
    "NGA": ["Lagos", "Abuja", "Enugu"], "SRB": ["Beograd", "Niš", "Novi Sad"], "IRN": ["Teheran", "Isfahan", "Schiras"],
    "ERI": ["Asmara", "Keren", "Massawa"],
}


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A uniformly random date between start and end inclusive."""
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def random_person(rng: random.Random, *, born_after: dt.date = dt.date(1950, 1, 1), born_before: dt.date = dt.date(2006, 12, 31)) -> Person:
    """A random non-German person with consistent name, nationality and birthplace."""
    nationality, surnames, male, female = rng.choice(ORIGINS)
    sex = rng.choice("MF")
    given = rng.choice(male if sex == "M" else female)
    if rng.random() < 0.2:
        given = f"{given} {rng.choice(male if sex == 'M' else female)}"
        parts = list(dict.fromkeys(given.split()))
        given = " ".join(parts)
    return Person(
        surname=rng.choice(surnames),
        given_names=given,
        date_of_birth=random_date(rng, born_after, born_before),
        nationality=nationality,
        sex=sex,
        birthplace=rng.choice(BIRTHPLACES[nationality]),
    )


def german_name(rng: random.Random) -> str:
    """A German-sounding full name for clerks, employers, landlords and lawyers."""
    return f"{rng.choice(GERMAN_GIVEN)} {rng.choice(GERMAN_SURNAMES)}"


def address(rng: random.Random) -> tuple[str, str]:
    """(street line, postcode and city line)."""
    plz, city = rng.choice(CITIES)
    return f"{rng.choice(STREETS)} {rng.randint(1, 180)}{rng.choice(['', '', '', 'a', 'b'])}", f"{plz} {city}"


def euro(amount: float) -> str:
    """An amount in German notation: 12345.5 -> '12.345,50'."""
    return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def money(rng: random.Random, low: float, high: float) -> str:
    """A random amount in German notation, e.g. '2.345,67'."""
    return euro(rng.uniform(low, high))


def de_date(value: dt.date, rng: random.Random | None = None) -> str:
    """A date in one of the German notations (03.04.1987, 3.4.1987, 3. April 1987)."""
    style = rng.randint(0, 5) if rng else 0
    if style <= 3:
        return value.strftime("%d.%m.%Y")
    if style == 4:
        return f"{value.day}.{value.month}.{value.year}"
    return f"{value.day}. {MONTHS_DE[value.month - 1]} {value.year}"


MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]


def iban(rng: random.Random) -> str:
    """A made-up German IBAN-shaped string (not check-digit valid)."""
    digits = "".join(str(rng.randint(0, 9)) for _ in range(18))
    return "DE" + f"{rng.randint(10, 99)} " + " ".join(digits[i:i + 4] for i in range(0, 18, 4))
