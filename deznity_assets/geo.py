"""The language of a target market, read from the country named in it ("Lima, Peru" -> es, "Lima, Ohio" -> en).

The brief's language is only ever English or Spanish, so what matters is whether a place is in a
Spanish-speaking country. A compact table is enough for that (no country-data library is installed):
the Spanish-speaking countries, their best-known regions and cities, and the non-Spanish places
most often written after a Spanish-sounding town (US states, Canadian provinces, English-speaking
and other large countries).
"""

from __future__ import annotations

import re
from typing import Literal

from unidecode import unidecode

MarketLanguage = Literal["en", "es"]

_SPANISH_COUNTRIES = (
    "mexico",
    "spain",
    "espana",
    "argentina",
    "colombia",
    "chile",
    "peru",
    "venezuela",
    "ecuador",
    "guatemala",
    "cuba",
    "bolivia",
    "dominican republic",
    "republica dominicana",
    "honduras",
    "paraguay",
    "el salvador",
    "nicaragua",
    "costa rica",
    "panama",
    "uruguay",
    "puerto rico",
    "equatorial guinea",
    "guinea ecuatorial",
)
_SPANISH_REGIONS = (
    "latin america",
    "latam",
    "latinoamerica",
    "america latina",
    "hispanoamerica",
    "iberoamerica",
    "central america",
    "centroamerica",
    # Mexican states
    "jalisco",
    "nuevo leon",
    "baja california",
    "baja california sur",
    "yucatan",
    "quintana roo",
    "chihuahua",
    "sonora",
    "sinaloa",
    "veracruz",
    "guanajuato",
    "michoacan",
    "estado de mexico",
    "coahuila",
    "tamaulipas",
    "chiapas",
    "oaxaca",
    "puebla",
    "queretaro",
    # Spanish regions
    "andalucia",
    "andalusia",
    "cataluna",
    "catalonia",
    "pais vasco",
    "basque country",
    "canarias",
    "canary islands",
    "baleares",
    "balearic islands",
    "mallorca",
    "ibiza",
    "tenerife",
)
# Cities, for a target_geo that names no country ("CDMX", "Madrid", "Lima").
_SPANISH_CITIES = (
    "cdmx",
    "ciudad de mexico",
    "mexico city",
    "guadalajara",
    "monterrey",
    "tijuana",
    "cancun",
    "merida",
    "madrid",
    "barcelona",
    "valencia",
    "sevilla",
    "seville",
    "malaga",
    "bilbao",
    "zaragoza",
    "granada",
    "buenos aires",
    "cordoba",
    "rosario",
    "mendoza",
    "bogota",
    "medellin",
    "cali",
    "cartagena",
    "barranquilla",
    "santiago",
    "valparaiso",
    "lima",
    "arequipa",
    "cusco",
    "quito",
    "guayaquil",
    "caracas",
    "maracaibo",
    "montevideo",
    "asuncion",
    "la paz",
    "havana",
    "la habana",
    "santo domingo",
    "tegucigalpa",
    "managua",
    "san salvador",
)
_US_STATES = (
    "alabama",
    "alaska",
    "arizona",
    "arkansas",
    "california",
    "colorado",
    "connecticut",
    "delaware",
    "district of columbia",
    "florida",
    "georgia",
    "hawaii",
    "idaho",
    "illinois",
    "indiana",
    "iowa",
    "kansas",
    "kentucky",
    "louisiana",
    "maine",
    "maryland",
    "massachusetts",
    "michigan",
    "minnesota",
    "mississippi",
    "missouri",
    "montana",
    "nebraska",
    "nevada",
    "new hampshire",
    "new jersey",
    "new mexico",
    "nuevo mexico",
    "new york",
    "north carolina",
    "north dakota",
    "ohio",
    "oklahoma",
    "oregon",
    "pennsylvania",
    "rhode island",
    "south carolina",
    "south dakota",
    "tennessee",
    "texas",
    "utah",
    "vermont",
    "virginia",
    "washington",
    "west virginia",
    "wisconsin",
    "wyoming",
)
_OTHER_REGIONS = (
    # Canadian provinces and territories
    "ontario",
    "quebec",
    "british columbia",
    "alberta",
    "manitoba",
    "saskatchewan",
    "nova scotia",
    "new brunswick",
    "newfoundland",
    "newfoundland and labrador",
    "prince edward island",
    "yukon",
    "nunavut",
    "northwest territories",
    # Australian states
    "new south wales",
    "queensland",
    "western australia",
    "south australia",
    "tasmania",
    # Countries
    "usa",
    "united states",
    "united states of america",
    "estados unidos",
    "eeuu",
    "ee uu",
    "united kingdom",
    "reino unido",
    "great britain",
    "britain",
    "england",
    "scotland",
    "wales",
    "northern ireland",
    "ireland",
    "canada",
    "australia",
    "new zealand",
    "singapore",
    "south africa",
    "india",
    "nigeria",
    "kenya",
    "ghana",
    "jamaica",
    "philippines",
    "france",
    "germany",
    "italy",
    "portugal",
    "brazil",
    "brasil",
    "netherlands",
    "belgium",
    "switzerland",
    "austria",
    "sweden",
    "norway",
    "denmark",
    "finland",
    "poland",
    "japan",
    "china",
    "south korea",
    "hong kong",
    "taiwan",
    "united arab emirates",
    "uae",
    "israel",
    "turkey",
    "egypt",
    "morocco",
)
# Abbreviations are matched only as a whole comma-separated part ("Miami, FL"): inside a
# phrase they would be ordinary words ("de", "in", "or"). "D.C." is left out: "Bogotá, D.C." is
# Bogotá's official name, and "Washington, D.C." is found by Washington.
_ENGLISH_CODES = (
    "al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny"
    " nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy"  # US states
    " on qc bc ab mb sk ns nb nl pe yt nu nt"  # Canadian provinces
    " nsw vic qld tas act"  # Australian states
    " us uk gb usa"
)
# Spanish-speaking countries whose ISO codes are not also a state or province above.
_SPANISH_CODES = "mx mex es esp cl uy ec gt cu bo hn py sv ni cr ve do pr df"
_ABBREVIATIONS: dict[str, MarketLanguage] = {
    **dict.fromkeys(_ENGLISH_CODES.split(), "en"),
    **dict.fromkeys(_SPANISH_CODES.split(), "es"),
}
PLACES: dict[str, MarketLanguage] = {
    **dict.fromkeys(_US_STATES + _OTHER_REGIONS, "en"),
    **dict.fromkeys(_SPANISH_COUNTRIES + _SPANISH_REGIONS + _SPANISH_CITIES, "es"),
}
# Longest names first, so "new mexico" is found before "mexico" at the same place.
_PLACE_RE = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True)) + r")\b")


def normalise_place(text: str) -> str:
    """A place name as looked up: ASCII, lower case, dots dropped ("U.S.A." -> usa), words single-spaced."""
    ascii_text = unidecode(text).lower().replace(".", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text).split())


def market_language(target_geo: str) -> MarketLanguage | None:
    """The language of the country a target market names, or None when no known place is named.

    The parts of "City, Region, Country" are read from the last (the country, or a US state) to the
    first, so the country decides: "New Mexico, USA" and "Lima, Ohio" are English markets,
    "Santiago, Chile" a Spanish one; a lone city ("CDMX", "Madrid") is looked up as a city.
    """
    for raw in reversed(target_geo.split(",")):
        part = normalise_place(raw)
        if not part:
            continue
        if part in _ABBREVIATIONS:
            return _ABBREVIATIONS[part]
        if part in PLACES:
            return PLACES[part]
        # A place inside a phrase ("Ciudad de México", "Greater Lima area"): the rightmost
        # known name wins, being the broader place ("Lima Ohio"); at a tie the longest one.
        found = [(m.end(), len(m.group(1)), m.group(1)) for m in _PLACE_RE.finditer(part)]
        if found:
            return PLACES[max(found)[2]]
    return None
