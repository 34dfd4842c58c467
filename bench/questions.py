"""The questions people ask: list, filter, search and facet URLs drawn at random, the way
apps, partner sites and people searching send them. Every URL is different; the mix has
filters alone and combined, search words in both languages (whole, inflected, and the
three or four letters of someone still typing), facets, both languages and every order.

    distinct_urls(n, seed) -> n different paths
    broadest(n, seed)      -> n different paths that each ask the most of the service: a
                              three-letter word, no filter, all six facets
"""

import random
import urllib.parse

TYPES = ["residency", "fellowship", "project_grant", "travel_grant", "commission",
         "presenting", "competition", "award", "training", "networking", "go_and_see",
         "market_development", "touring", "research", "production", "job"]
DISCIPLINES = ["visual_arts", "performing_arts", "dance", "theatre", "music", "literature",
               "film_audiovisual", "architecture", "design", "cultural_heritage", "crafts",
               "curating", "research", "digital_arts", "cross_disciplinary", "circus",
               "photography", "translation"]
COSTS = ["travel", "accommodation", "per_diem", "production", "fee", "visa", "insurance",
         "childcare", "accessibility", "green_travel"]
STAGES = ["emerging", "mid_career", "established", "any"]
AREAS = ["SI", "HR", "RS", "BA", "ME", "AT", "IT", "DE", "FR", "UA", "PL", "NL", "JP", "US",
         "eu", "eea", "creative_europe", "western_balkans"]
STATUSES = ["open", "closing_soon", "rolling", "upcoming", "closed"]
FACETS = ["type", "discipline", "destination_country", "covers", "career_stage", "status"]
SORTS = ["relevance", "deadline", "deadline_desc", "newest", "updated"]
# Words people type, in both languages and in several Slovenian cases, some only begun.
WORDS = [
    "ceramics", "keramika", "keramiko", "glass", "steklo", "textile", "tekstil", "poetry",
    "poezija", "poezijo", "choreography", "koreografija", "jazz", "opera", "opero",
    "animation", "animacija", "comics", "strip", "residency", "residencies", "rezidenca",
    "rezidence", "fellowship", "štipendija", "štipendijo", "stipendija", "grant", "podpora",
    "translation", "prevajanje", "prevajalce", "festival", "festivala", "studio", "atelje",
    "ateljeja", "museum", "muzeja", "travel", "potna", "mobility", "mobilnosti", "music",
    "glasba", "glasbo", "theatre", "gledališče", "gledališčem", "dance", "ples", "film",
    "filmom", "photography", "fotografski", "design", "oblikovanje", "research",
    "raziskave", "mentoring", "mentorstvo", "Ljubljana", "Ljubljani", "Vienna", "Dunaj",
    "Dunaju", "Venice", "Benetkah", "Berlin", "Berlinu", "Paris", "Parizu", "Zagreb",
    "Zagrebu", "Kyoto", "seaside", "morju", "monastery", "samostanu", "factory", "tovarni",
    "emerging", "mladim", "collectives", "kolektivom", "portfolio", "portfeljem",
    "cer", "cera", "res", "resi", "rez", "rezi", "ume", "umet", "pho", "foto", "tra",
    "trav", "pot", "gle", "gled", "kor", "koreo", "mus", "glas", "stu", "ate", "des", "obl",
    "\"sound art\"", "\"zvočna umetnost\"", "-berlin", "jazz or opera", "ples or dance",
]


def _many(rng, pool, most=3):
    return ",".join(rng.sample(pool, rng.randint(1, most)))


def _one_url(rng):
    params = []
    if rng.random() < 0.55:
        words = rng.sample(WORDS, rng.choice([1, 1, 1, 2, 2, 3]))
        params.append(("q", " ".join(words)))
    filters = [
        ("type", lambda: _many(rng, TYPES)),
        ("discipline", lambda: _many(rng, DISCIPLINES)),
        ("covers", lambda: _many(rng, COSTS, 2)),
        ("eligible_country", lambda: _many(rng, AREAS, 2)),
        ("destination_country", lambda: _many(rng, AREAS, 3)),
        ("status", lambda: _many(rng, STATUSES, 2)),
        ("career_stage", lambda: _many(rng, STAGES, 2)),
        ("free_to_apply", lambda: rng.choice(["true", "false"])),
        ("min_amount", lambda: str(rng.choice([500, 1000, 2000, 5000, 10000]))),
    ]
    for name, value in rng.sample(filters, rng.choice([0, 0, 1, 1, 1, 2, 2, 3])):
        params.append((name, value()))
    if rng.random() < 0.5:
        params.append(("facets", ",".join(rng.sample(FACETS, rng.randint(1, 6)))))
    if rng.random() < 0.4:
        params.append(("lang", rng.choice(["en", "sl"])))
    if rng.random() < 0.3:
        params.append(("sort", rng.choice(SORTS)))
    if rng.random() < 0.3:
        params.append(("limit", str(rng.choice([10, 50, 100]))))
    return "/api/v1/opportunities?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def distinct_urls(n, seed):
    """`n` different list URLs, reproducible for a seed."""
    rng = random.Random(seed)
    seen, urls = set(), []
    while len(urls) < n:
        url = _one_url(rng)
        if url not in seen:
            seen.add(url)
            urls.append(url)
    return urls


def broadest(n, seed):
    """`n` different URLs of the broadest kind: three letters, no filter, all six facets.
    They differ by the three letters and by the language, so none is answered from cache."""
    rng = random.Random(seed)
    letters = sorted({w.strip('"-')[:3].lower() for w in WORDS if len(w.strip('"-')) >= 3})
    urls = []
    for i in range(n):
        word = letters[i % len(letters)]
        lang = ["en", "sl"][(i // len(letters)) % 2]
        limit = 10 + (i // (2 * len(letters)))
        urls.append("/api/v1/opportunities?" + urllib.parse.urlencode(
            [("q", word), ("facets", ",".join(FACETS)), ("lang", lang), ("limit", str(limit))],
            quote_via=urllib.parse.quote))
    rng.shuffle(urls)
    return urls
