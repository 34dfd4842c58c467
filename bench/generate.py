#!/usr/bin/env python3
"""Synthetic directory data for the benchmarks, in the project's own import formats.

    bench/generate.py N OUT_DIR [--seed S]

writes OUT_DIR/organizations.json (bodies for POST /api/v1/organizations) and
OUT_DIR/entries.json (a JSON array for `mobility-directory import`), with N entries:
every opportunity type; 1-3 disciplines and destinations; eligibility rules on about half,
mixing countries and regions; deadlines from a year ago to a year ahead (about half still
open); rolling calls; texts in both languages of realistic length, about one of thirty
themes each (ceramics, puppetry, sound art …, with inflected Slovenian forms), built from
distinct sentences drawn from pools, so that full-text search over them is a real test. Deadlines are relative
to the day the file is made. Reproducible for a given seed and day.
"""

import datetime as dt
import json
import os
import random
import sys

TYPES = ["residency", "fellowship", "project_grant", "travel_grant", "commission",
         "presenting", "competition", "award", "training", "networking", "go_and_see",
         "market_development", "touring", "research", "production", "job"]
DISCIPLINES = ["visual_arts", "performing_arts", "dance", "theatre", "music", "literature",
               "film_audiovisual", "architecture", "design", "cultural_heritage", "crafts",
               "curating", "research", "digital_arts", "cross_disciplinary", "circus",
               "photography", "translation"]
COSTS = ["travel", "accommodation", "per_diem", "production", "fee", "visa", "insurance",
         "childcare", "accessibility", "green_travel"]
STAGES = ["emerging", "mid_career", "established", "any", "any"]
KINDS = ["public_funder", "foundation", "residency_centre", "festival", "venue", "network",
         "cultural_institute", "university", "ngo"]
REGIONS = ["eu", "eea", "creative_europe", "western_balkans"]
# (country, English city, Slovenian city)
PLACES = [
    ("SI", "Ljubljana", "Ljubljana"), ("SI", "Maribor", "Maribor"), ("SI", "Piran", "Piran"),
    ("AT", "Vienna", "Dunaj"), ("AT", "Graz", "Gradec"), ("IT", "Venice", "Benetke"),
    ("IT", "Trieste", "Trst"), ("IT", "Rome", "Rim"), ("HR", "Zagreb", "Zagreb"),
    ("HR", "Rijeka", "Reka"), ("RS", "Belgrade", "Beograd"), ("BA", "Sarajevo", "Sarajevo"),
    ("ME", "Podgorica", "Podgorica"), ("MK", "Skopje", "Skopje"), ("DE", "Berlin", "Berlin"),
    ("DE", "Munich", "München"), ("FR", "Paris", "Pariz"), ("FR", "Marseille", "Marseille"),
    ("PT", "Lisbon", "Lizbona"), ("ES", "Madrid", "Madrid"), ("CZ", "Prague", "Praga"),
    ("PL", "Warsaw", "Varšava"), ("HU", "Budapest", "Budimpešta"), ("UA", "Kyiv", "Kijev"),
    ("NL", "Amsterdam", "Amsterdam"), ("BE", "Brussels", "Bruselj"), ("FI", "Helsinki", "Helsinki"),
    ("SE", "Stockholm", "Stockholm"), ("IE", "Dublin", "Dublin"), ("GR", "Athens", "Atene"),
    ("RO", "Cluj-Napoca", "Cluj-Napoca"), ("BG", "Sofia", "Sofija"), ("LT", "Vilnius", "Vilna"),
    ("EE", "Tallinn", "Talin"), ("NO", "Bergen", "Bergen"), ("IS", "Reykjavík", "Reykjavík"),
    ("JP", "Kyoto", "Kjoto"), ("KR", "Seoul", "Seul"), ("US", "New York", "New York"),
    ("CA", "Montréal", "Montreal"), ("MX", "Oaxaca", "Oaxaca"), ("BR", "São Paulo", "São Paulo"),
    ("ZA", "Cape Town", "Cape Town"), ("KE", "Nairobi", "Nairobi"), ("IN", "Kochi", "Koči"),
    ("AU", "Melbourne", "Melbourne"), ("TR", "Istanbul", "Carigrad"), ("GE", "Tbilisi", "Tbilisi"),
]
NATIONALITIES = ["SI", "HR", "RS", "BA", "ME", "MK", "AL", "XK", "AT", "IT", "DE", "FR", "UA",
                 "PL", "CZ", "HU", "PT", "ES", "NL", "BE", "GR", "RO", "BG", "JP", "US", "BR"]
CURRENCIES = ["EUR"] * 8 + ["USD", "GBP", "CHF", "JPY", "CAD"]

EN_SUBJECT = {
    "residency": ["Studio Residency", "Residency for Ceramics", "Writers' Retreat",
                  "Artist-in-Residence Programme", "Residency by the Sea", "Mountain Studio"],
    "fellowship": ["Curatorial Fellowship", "Research Fellowship", "Translation Fellowship",
                   "Choreography Fellowship"],
    "project_grant": ["Project Grant", "Co-production Fund", "Small Grants Scheme",
                      "Cooperation Projects Call"],
    "travel_grant": ["Mobility Grant", "Travel Bursary", "Go Abroad Fund", "Green Travel Grant"],
    "commission": ["Public Art Commission", "New Music Commission", "Site-specific Commission"],
    "presenting": ["Festival Open Call", "Showcase Platform", "Biennial Call"],
    "competition": ["Architecture Competition", "Photography Competition", "Design Contest"],
    "award": ["Young Artist Award", "Lifetime Achievement Award", "Translation Prize"],
    "training": ["Summer Academy", "Masterclass Series", "Producers' Lab", "Workshop Week"],
    "networking": ["Partner Search Days", "Networking Forum", "Meeting of Presenters"],
    "go_and_see": ["Go-and-See Visits", "Study Visit Programme", "Scouting Trip Support"],
    "market_development": ["Export Support", "Market Access Programme", "Trade Fair Stand"],
    "touring": ["Touring Support", "Regional Touring Grant", "Tour Booking Fund"],
    "research": ["Archive Research Grant", "Artistic Research Call", "Field Research Bursary"],
    "production": ["Production Support", "Post-production Grant", "Stage Production Fund"],
    "job": ["Programme Manager Post", "Festival Producer Vacancy", "Curator Position"],
}
SL_SUBJECT = {
    "residency": ["Ateljejska rezidenca", "Rezidenca za keramiko", "Rezidenca za pisatelje",
                  "Umetniška rezidenca", "Rezidenca ob morju", "Gorski atelje"],
    "fellowship": ["Kuratorska štipendija", "Raziskovalna štipendija",
                   "Štipendija za prevajalce", "Štipendija za koreografe"],
    "project_grant": ["Projektna podpora", "Sklad za koprodukcije", "Mali projekti",
                      "Razpis za projekte sodelovanja"],
    "travel_grant": ["Podpora mobilnosti", "Potna štipendija", "Sklad za gostovanja v tujini",
                     "Zelena potna štipendija"],
    "commission": ["Naročilo javne umetnosti", "Naročilo nove glasbe", "Ambientalno naročilo"],
    "presenting": ["Odprti poziv festivala", "Predstavitvena platforma", "Poziv bienala"],
    "competition": ["Arhitekturni natečaj", "Fotografski natečaj", "Natečaj za oblikovanje"],
    "award": ["Nagrada za mlade umetnike", "Nagrada za življenjsko delo", "Prevajalska nagrada"],
    "training": ["Poletna akademija", "Mojstrski tečaji", "Laboratorij za producente",
                 "Teden delavnic"],
    "networking": ["Dnevi iskanja partnerjev", "Forum mreženja", "Srečanje organizatorjev"],
    "go_and_see": ["Ogledni obiski", "Študijski obiski", "Podpora za oglede"],
    "market_development": ["Podpora izvozu", "Program dostopa do trgov", "Stojnica na sejmu"],
    "touring": ["Podpora gostovanjem", "Regionalna gostovanja", "Sklad za turneje"],
    "research": ["Podpora arhivskemu raziskovanju", "Poziv za umetniške raziskave",
                 "Štipendija za terensko delo"],
    "production": ["Podpora produkciji", "Podpora postprodukciji", "Sklad za uprizoritve"],
    "job": ["Vodja programa", "Producent festivala", "Kustos"],
}
# Themes an entry is about: (English, Slovenian nominative, Slovenian in another case), so
# that titles and texts carry inflected Slovenian forms, as real calls do.
THEMES = [
    ("ceramics", "keramika", "keramiko"), ("glass", "steklo", "steklom"),
    ("textile", "tekstil", "tekstilom"), ("printmaking", "grafika", "grafiko"),
    ("puppetry", "lutkovno gledališče", "lutkovnim gledališčem"),
    ("sound art", "zvočna umetnost", "zvočno umetnostjo"), ("poetry", "poezija", "poezijo"),
    ("documentary film", "dokumentarni film", "dokumentarnim filmom"),
    ("choreography", "koreografija", "koreografijo"), ("jazz", "jazz", "jazzom"),
    ("early music", "stara glasba", "staro glasbo"), ("street art", "ulična umetnost", "ulično umetnostjo"),
    ("children's books", "otroške knjige", "otroškimi knjigami"),
    ("landscape architecture", "krajinska arhitektura", "krajinsko arhitekturo"),
    ("bookbinding", "knjigoveštvo", "knjigoveštvom"), ("woodwork", "lesarstvo", "lesarstvom"),
    ("animation", "animacija", "animacijo"), ("photobooks", "fotoknjige", "fotoknjigami"),
    ("opera", "opera", "opero"), ("contemporary circus", "sodobni cirkus", "sodobnim cirkusom"),
    ("game design", "oblikovanje iger", "oblikovanjem iger"),
    ("oral history", "ustna zgodovina", "ustno zgodovino"),
    ("literary translation", "literarno prevajanje", "literarnim prevajanjem"),
    ("folk music", "ljudska glasba", "ljudsko glasbo"), ("video art", "videoumetnost", "videoumetnostjo"),
    ("stage design", "scenografija", "scenografijo"), ("comics", "strip", "stripom"),
    ("radio drama", "radijska igra", "radijsko igro"), ("bioart", "bioumetnost", "bioumetnostjo"),
    ("community theatre", "skupnostno gledališče", "skupnostnim gledališčem"),
]
# Where a stay happens, and what it gives.
EN_SETTING = ["a converted farmhouse", "a former factory by the river", "an island studio house",
              "a city-centre apartment with a shared studio", "a mountain hut turned workshop",
              "the guest floor of a museum", "a seaside villa", "a renovated monastery"]
SL_SETTING = ["v prenovljeni kmečki hiši", "v nekdanji tovarni ob reki", "v otoški hiši z ateljeji",
              "v mestnem stanovanju s skupnim ateljejem", "v planinski koči, preurejeni v delavnico",
              "v gostujočem nadstropju muzeja", "v vili ob morju", "v prenovljenem samostanu"]
EN_OFFER = ["a private studio and shared workshop", "a monthly stipend", "travel to and from the venue",
            "mentoring by local practitioners", "a public presentation at the end",
            "production costs up to the stated amount", "accommodation in a shared flat",
            "a fee for the finished work", "access to the archive and library",
            "introductions to local venues and curators", "technical support from a producer",
            "a translator or interpreter where needed"]
SL_OFFER = ["zaseben atelje in skupno delavnico", "mesečno štipendijo", "pot do kraja in nazaj",
            "mentorstvo lokalnih ustvarjalcev", "javno predstavitev ob koncu",
            "produkcijske stroške do navedenega zneska", "nastanitev v skupnem stanovanju",
            "honorar za dokončano delo", "dostop do arhiva in knjižnice",
            "poznanstva z lokalnimi prizorišči in kustosi", "tehnično podporo producenta",
            "prevajalca ali tolmača, kadar je potreben"]
EN_WHO = ["artists at any stage", "emerging artists under 35", "mid-career practitioners",
          "collectives of two to four people", "translators of literary prose",
          "curators working across borders", "choreographers and dancers",
          "artists who are parents of young children", "makers with a disability",
          "graduates of the last five years"]
SL_WHO = ["umetnikom na kateri koli stopnji", "mladim umetnikom do 35. leta",
          "ustvarjalcem v srednjem obdobju kariere", "kolektivom dveh do štirih oseb",
          "prevajalcem leposlovja", "kustosom, ki delajo čez meje", "koreografom in plesalcem",
          "umetnikom, ki so starši majhnih otrok", "ustvarjalcem z invalidnostjo",
          "diplomantom zadnjih petih let"]
EN_HOW = ["Apply online with a portfolio and a one-page proposal.",
          "Send a CV, a work plan and two references through the form.",
          "Applications are read by an independent jury; results within six weeks.",
          "Submit a short video and a budget; shortlisted applicants are interviewed.",
          "Write to the programme team before applying if you need access support.",
          "Proposals may be written in English or in the language of the host country."]
SL_HOW = ["Prijavite se prek spleta s portfeljem in enostranskim predlogom.",
          "Pošljite življenjepis, načrt dela in dve priporočili prek obrazca.",
          "Prijave oceni neodvisna žirija; rezultati v šestih tednih.",
          "Oddajte kratek video in finančni načrt; izbrane kandidate povabimo na pogovor.",
          "Če potrebujete prilagoditve, nam pišite pred oddajo prijave.",
          "Predlogi so lahko v angleščini ali v jeziku države gostiteljice."]
# How long an activity of each type lasts, in days; none for grants and prizes.
DAYS = {"residency": [21, 30, 45, 60, 90], "fellowship": [90, 120, 180], "travel_grant": [5, 7, 10],
        "commission": [30, 45, 60], "presenting": [3, 5, 8], "training": [5, 7, 10, 14],
        "networking": [2, 3, 4], "go_and_see": [3, 4, 5], "market_development": [3, 4, 5],
        "touring": [10, 14, 21], "research": [14, 21, 30], "production": [30, 45, 60],
        "job": [180, 365]}
ORG_WORDS = ["Northern", "Silver", "River", "Harbour", "Old Town", "Meadow", "Linden", "Salt",
             "Lantern", "Granite", "Orchard", "Lighthouse", "Willow", "Copper", "Amber", "Mill"]


def organizations(rng, n):
    orgs = []
    for i in range(n):
        country, city, _ = rng.choice(PLACES)
        kind = rng.choice(KINDS)
        word = rng.choice(ORG_WORDS)
        name = f"{word} {kind.replace('_', ' ').title()} of {city} {i:04d}"
        orgs.append({"slug": f"bench-org-{i:04d}", "name": name, "kind": kind,
                     "country": country, "city": city,
                     "website": f"https://org{i:04d}.example.org"})
    return orgs


def description(rng, en, kind, theme, city, days):
    """Two to four paragraphs of distinct sentences: what, where, what is offered, who, how."""
    if en:
        what = f"This {kind.replace('_', ' ')} is for work in {theme[0]}"
        what += f", over {days} days in {city}." if days else f", with partners in {city}."
        sentences = [what,
                     f"Participants work in {rng.choice(EN_SETTING)}.",
                     f"The programme offers {', '.join(rng.sample(EN_OFFER, 3))}.",
                     f"It is open to {rng.choice(EN_WHO)}.",
                     f"Previous participants explored {rng.choice(THEMES)[0]} and {rng.choice(THEMES)[0]}."]
        sentences += rng.sample(EN_HOW, 2)
    else:
        what = f"Program je namenjen delu na področju: {theme[1]}"
        what += f"; traja {days} dni, kraj: {city}." if days else f"; partnerji so iz kraja {city}."
        sentences = [what,
                     f"Udeleženci ustvarjajo {rng.choice(SL_SETTING)}.",
                     f"Program ponuja {', '.join(rng.sample(SL_OFFER, 3))}.",
                     f"Namenjen je {rng.choice(SL_WHO)}.",
                     f"Dosedanji udeleženci so se ukvarjali z {rng.choice(THEMES)[2]}."]
        sentences += rng.sample(SL_HOW, 2)
    head, rest = sentences[:2], sentences[2:]
    rng.shuffle(rest)
    paragraphs, chunk = [" ".join(head)], []
    for sentence in rest:
        chunk.append(sentence)
        if len(chunk) >= rng.randint(1, 3):
            paragraphs.append(" ".join(chunk))
            chunk = []
    if chunk:
        paragraphs.append(" ".join(chunk))
    return "\n\n".join(paragraphs)


def entry(rng, i, orgs, today):
    kind = TYPES[i % len(TYPES)]
    org = orgs[rng.randrange(len(orgs))]
    places = rng.sample(PLACES, rng.randint(1, 3))
    countries = sorted({p[0] for p in places})
    en_subject, sl_subject = rng.choice(list(zip(EN_SUBJECT[kind], SL_SUBJECT[kind])))
    en_city, sl_city = places[0][1], places[0][2]
    theme = rng.choice(THEMES)
    days = rng.choice(DAYS[kind]) if kind in DAYS else None
    row = {
        "external_id": f"bench-{i}",
        "type": kind,
        "organization": org["slug"],
        "title": {"en": f"{en_subject}: {theme[0].capitalize()}, {en_city} {i}",
                  "sl": f"{sl_subject}: {theme[1]}, {sl_city} {i}"},
        "summary": {"en": f"{en_subject} in {theme[0]} offered by {org['name']} in {en_city}.",
                    "sl": f"{sl_subject} ({theme[1]}), ki jo ponuja {org['name']}; kraj: {sl_city}."},
        "description": {"en": description(rng, True, kind, theme, en_city, days),
                        "sl": description(rng, False, kind, theme, sl_city, days)},
        "disciplines": rng.sample(DISCIPLINES, rng.randint(1, 3)),
        "destination": {"countries": countries, "city": en_city, "online": rng.random() < 0.1},
        "eligibility": {"career_stage": rng.choice(STAGES)},
        "funding": {"max": rng.choice([500, 1000, 1500, 2500, 5000, 10000, 25000]),
                    "currency": rng.choice(CURRENCIES)},
        "covered_costs": rng.sample(COSTS, rng.randint(0, 4)),
        "source_url": f"https://org{org['slug'][-4:]}.example.org/calls/{i}",
        "languages": rng.choice([["en"], ["en", "sl"], ["sl"]]),
    }
    if rng.random() < 0.5:
        areas = rng.sample(NATIONALITIES, rng.randint(1, 4)) + rng.sample(REGIONS, rng.randint(0, 1))
        if rng.random() < 0.5:
            row["eligibility"]["nationalities"] = areas
        else:
            row["eligibility"]["residences"] = areas
        if rng.random() < 0.3:
            row["eligibility"]["age_max"] = rng.choice([30, 35, 40])
    if rng.random() < 0.08:
        row["rolling"] = True
    else:
        # From a year ago to a year ahead, about half still open.
        days = rng.randint(-365, 365)
        deadline = today + dt.timedelta(days=days, hours=rng.randint(0, 23))
        row["deadline"] = deadline.strftime("%Y-%m-%dT%H:00:00+01:00")
        row["deadline_timezone"] = "Europe/Ljubljana"
        if rng.random() < 0.1:
            row["opens_at"] = (deadline - dt.timedelta(days=rng.randint(20, 90))).strftime(
                "%Y-%m-%dT00:00:00Z")
    if rng.random() < 0.15:
        row["application_fee"] = {"amount": rng.choice([10, 20, 35]), "currency": "EUR"}
    return row


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    n, out = int(args[0]), args[1]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 7
    rng = random.Random(seed)
    today = dt.datetime.combine(dt.date.today(), dt.time())
    orgs = organizations(rng, max(10, n // 100))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "organizations.json"), "w") as f:
        json.dump(orgs, f, ensure_ascii=False)
    with open(os.path.join(out, "entries.json"), "w") as f:
        f.write("[")
        for i in range(n):
            if i:
                f.write(",\n")
            f.write(json.dumps(entry(rng, i, orgs, today), ensure_ascii=False))
        f.write("]\n")


if __name__ == "__main__":
    main()
