"""Name pools for synthetic Dutch contracting authorities and suppliers.

Real authority names are public; suppliers are fictitious combinations of common words.
"""

from __future__ import annotations

from mvoi import contract

# (ministry, [agencies of that ministry])
MINISTRIES: list[tuple[str, list[str]]] = [
    ("Ministerie van Infrastructuur en Waterstaat", ["Rijkswaterstaat", "Koninklijk Nederlands Meteorologisch Instituut"]),
    ("Ministerie van Financiën", ["Belastingdienst", "Domeinen Roerende Zaken"]),
    ("Ministerie van Justitie en Veiligheid", ["Dienst Justitiële Inrichtingen", "Centraal Justitieel Incassobureau"]),
    ("Ministerie van Economische Zaken", ["Rijksdienst voor Ondernemend Nederland", "Dienst ICT Uitvoering"]),
    ("Ministerie van Binnenlandse Zaken en Koninkrijksrelaties", ["Rijksvastgoedbedrijf", "Logius"]),
    ("Ministerie van Onderwijs, Cultuur en Wetenschap", ["Dienst Uitvoering Onderwijs"]),
    ("Ministerie van Volksgezondheid, Welzijn en Sport", ["Rijksinstituut voor Volksgezondheid en Milieu"]),
    ("Ministerie van Defensie", ["Defensie Materieel Organisatie"]),
    ("Ministerie van Sociale Zaken en Werkgelegenheid", ["Inspectie SZW"]),
    ("Ministerie van Buitenlandse Zaken", []),
    ("Ministerie van Landbouw, Visserij, Voedselzekerheid en Natuur", ["Nederlandse Voedsel- en Warenautoriteit"]),
    ("Ministerie van Algemene Zaken", []),
]

PROVINCES = [
    "Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
    "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
]

MUNICIPALITIES = [
    "Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg",
    "Almere", "Breda", "Nijmegen", "Apeldoorn", "Arnhem", "Haarlem", "Haarlemmermeer",
    "Enschede", "Amersfoort", "Zaanstad", "'s-Hertogenbosch", "Zwolle", "Leiden",
    "Zoetermeer", "Leeuwarden", "Ede", "Maastricht", "Dordrecht", "Westland", "Alphen aan den Rijn",
    "Alkmaar", "Emmen", "Delft", "Venlo", "Deventer", "Sittard-Geleen", "Helmond", "Oss",
    "Amstelveen", "Súdwest-Fryslân", "Hilversum", "Heerlen", "Hoeksche Waard", "Nissewaard",
    "Meierijstad", "Hengelo", "Purmerend", "Schiedam", "Lelystad", "Roosendaal", "Leidschendam-Voorburg",
    "Almelo", "Gouda", "Vlaardingen", "Assen", "Capelle aan den IJssel", "Veenendaal",
    "Katwijk", "Zeist", "Nieuwegein", "Lansingerland", "Stichtse Vecht", "Hardenberg",
    "Westerkwartier", "Barneveld", "Bergen op Zoom", "Doetinchem", "Harderwijk",
    "Houten", "Oosterhout", "Kampen", "Middelburg", "Vlissingen", "Terneuzen", "Goes",
    "Woerden", "Zutphen", "Tiel", "Wageningen", "Ridderkerk", "Weert", "Roermond",
]

WATER_BOARDS = [
    "Waterschap Rivierenland", "Hoogheemraadschap van Rijnland", "Waterschap Vallei en Veluwe",
    "Waterschap Limburg", "Wetterskip Fryslân", "Waterschap Aa en Maas", "Waterschap Brabantse Delta",
    "Hoogheemraadschap Hollands Noorderkwartier", "Waterschap Rijn en IJssel",
    "Hoogheemraadschap de Stichtse Rijnlanden", "Waterschap Drents Overijsselse Delta",
    "Waterschap Hunze en Aa's", "Waterschap Noorderzijlvest", "Waterschap Scheldestromen",
    "Waterschap De Dommel", "Waterschap Zuiderzeeland", "Hoogheemraadschap van Delfland",
    "Hoogheemraadschap van Schieland en de Krimpenerwaard", "Waterschap Hollandse Delta",
    "Waterschap Vechtstromen", "Waterschap Amstel, Gooi en Vecht",
]

OTHER_AUTHORITIES = [
    "Uitvoeringsinstituut Werknemersverzekeringen", "Kadaster", "Sociale Verzekeringsbank",
    "Veiligheidsregio Utrecht", "Veiligheidsregio Rotterdam-Rijnmond", "GGD Hollands Noorden",
    "Omgevingsdienst Noordzeekanaalgebied", "Metropoolregio Amsterdam", "Vervoerregio Amsterdam",
    "Rijksmuseum", "Erasmus Universiteit Rotterdam", "Universiteit Utrecht",
    "Havenbedrijf Rotterdam", "Gemeenschappelijke Regeling Drechtsteden", "Veiligheidsregio Brabant-Noord",
    "Omgevingsdienst Haaglanden", "Politie Nederland", "Centraal Bureau voor de Statistiek",
]

SUPPLIER_WORDS_A = [
    "Noord", "Zuid", "West", "Oost", "Delta", "Polder", "Duin", "Rijn", "Maas", "Eem", "Vecht",
    "Linge", "Kempen", "Veluwe", "Groen", "Helder", "Blauw", "Zon", "Wind", "Stad", "Dijk",
    "Brug", "Haven", "Kust", "Berg", "Bos", "Heide", "Vaart", "Lek", "IJssel", "Meer",
]
SUPPLIER_WORDS_B = [
    "bouw", "techniek", "installatie", "infra", "groen", "schoonmaak", "catering", "ICT",
    "data", "print", "kantoor", "logistiek", "transport", "advies", "energie", "facilitair",
    "beveiliging", "consult", "werken", "service", "meubel", "textiel", "afval", "water",
]
NL_FORMS = ["B.V.", "B.V.", "B.V.", "V.O.F.", "Holding B.V.", "Groep B.V.", "N.V."]
SOCIAL_FORMS = ["Werkbedrijf", "Sociaal Werkbedrijf", "Stichting Werkt", "Participatiebedrijf"]
FOREIGN_FORMS = {
    "BE": "BV/SRL", "DE": "GmbH", "FR": "SAS", "GB": "Ltd", "IE": "Ltd", "US": "Inc.",
    "DK": "ApS", "SE": "AB", "LU": "S.A.", "IT": "S.p.A.", "ES": "S.L.", "PL": "Sp. z o.o.",
    "AT": "GmbH",
}
FOREIGN_COUNTRIES = list(FOREIGN_FORMS)
FOREIGN_WEIGHTS = [0.26, 0.26, 0.08, 0.1, 0.06, 0.08, 0.03, 0.03, 0.03, 0.02, 0.02, 0.02, 0.01]

DESCRIPTIONS = [
    "Levering conform bestelling", "Maandtermijn", "Termijnfactuur", "Onderhoud", "Licenties",
    "Inhuur", "Uren conform urenstaat", "Materialen", "Nacalculatie meerwerk", "Abonnement",
    "Advieswerkzaamheden", "Schoonmaakwerkzaamheden", "Catering vergadering", "Energielevering",
    "Transportkosten", "Drukwerk", "Kantoorartikelen", "Hardware", "Projectbegeleiding",
]
# free text that may hold personal data (the contract says: never reaches a mart)
PERSONAL_DESCRIPTIONS = [
    "t.a.v. J. de Vries, afdeling Inkoop", "besteld door m.jansen@example.nl",
    "contactpersoon P. Bakker 06-12345678", "inhuur mw. S. El Amrani", "declaratie dhr. K. Visser",
]

# the landing contract's target groups, in contract order (TARGET_GROUP_WEIGHTS follow it)
TARGET_GROUPS = list(contract.code_list("social_return_realisations", "target_group"))
TARGET_GROUP_WEIGHTS = [0.38, 0.22, 0.18, 0.14, 0.08]
