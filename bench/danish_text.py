"""Generated Danish-like text for benchmarks: real inflection paradigms, function words and filler words."""

from __future__ import annotations

import random

PARADIGMS = [
    ["bil", "bilen", "biler", "bilerne"],
    ["udvikler", "udvikleren", "udviklere", "udviklerne"],
    ["værktøj", "værktøjet", "værktøjer", "værktøjerne"],
    ["kunde", "kunden", "kunder", "kunderne"],
    ["kode", "koden", "koder", "koderne"],
    ["arbejde", "arbejder", "arbejdede", "arbejdet"],
    ["oplevelse", "oplevelsen", "oplevelser", "oplevelserne"],
    ["virksomhed", "virksomheden", "virksomheder", "virksomhederne"],
    ["prompt", "prompten", "prompts", "promptene"],
    ["kollega", "kollegaen", "kollegaer", "kollegaerne"],
    ["lære", "lærer", "lærte", "læring"],
    ["bruge", "bruger", "brugte", "brugen"],
    ["fejl", "fejlen", "fejlene", "fejlede"],
    ["designer", "designeren", "designere", "designerne"],
    ["billede", "billedet", "billeder", "billederne"],
]
FUNCTION = [
    "og",
    "i",
    "at",
    "det",
    "en",
    "den",
    "til",
    "er",
    "som",
    "på",
    "de",
    "med",
    "han",
    "af",
    "for",
    "ikke",
    "der",
    "var",
    "mig",
    "sig",
    "men",
    "har",
    "om",
    "vi",
    "min",
    "havde",
    "ham",
    "hun",
    "nu",
    "over",
    "da",
    "fra",
    "du",
    "ud",
    "sin",
    "dem",
    "os",
    "op",
    "man",
    "hans",
    "hvor",
    "eller",
    "hvad",
    "skal",
    "selv",
    "her",
    "alle",
    "vil",
    "blev",
    "kunne",
    "ind",
    "når",
    "være",
    "dog",
    "noget",
    "ville",
    "jo",
    "deres",
    "efter",
    "ned",
    "skulle",
    "denne",
    "end",
    "dette",
    "mit",
    "også",
    "under",
    "have",
    "dig",
    "anden",
    "hende",
    "mine",
    "alt",
    "meget",
    "sit",
    "sine",
    "vor",
    "mod",
    "disse",
    "hvis",
    "din",
    "nogle",
    "hos",
    "blive",
    "mange",
    "ad",
    "bliver",
    "hendes",
    "været",
    "thi",
    "jer",
    "sådan",
]
FILLER = [
    "tid",
    "dag",
    "år",
    "møde",
    "team",
    "projekt",
    "løsning",
    "opgave",
    "fase",
    "idé",
    "proces",
    "mål",
    "ansvar",
    "tillid",
    "risiko",
    "data",
    "model",
    "svar",
    "spørgsmål",
    "forslag",
    "gennemgang",
    "test",
    "produktion",
    "frist",
    "pris",
    "tilbud",
    "kontrakt",
    "skærm",
    "tegning",
    "skitse",
    "moodboard",
    "layout",
    "farve",
    "font",
    "animation",
    "video",
    "lyd",
    "tekst",
    "artikel",
    "hverdag",
    "praksis",
    "faglighed",
    "kompetence",
    "refleksion",
    "erfaring",
    "usikkerhed",
    "nysgerrighed",
    "Copilot",
    "ChatGPT",
    "Claude",
    "Midjourney",
    "Firefly",
    "GDPR",
    "AI-forordningen",
]


def sentence(rng: random.Random, words: int = 14) -> str:
    out = []
    for _ in range(words):
        r = rng.random()
        if r < 0.45:
            out.append(rng.choice(FUNCTION))
        elif r < 0.75:
            out.append(rng.choice(rng.choice(PARADIGMS)))
        else:
            out.append(rng.choice(FILLER))
    out[0] = out[0].capitalize()
    return " ".join(out) + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng: random.Random, words: int = 30) -> str:
    parts, n = [], 0
    while n < words:
        k = rng.randint(8, 18)
        parts.append(sentence(rng, k))
        n += k
    return " ".join(parts)


def document(rng: random.Random, size: int = 5000, speakers: bool = True) -> str:
    paras, total, turn = [], 0, 0
    while total < size:
        p = paragraph(rng, rng.randint(20, 60))
        if speakers:
            p = ("Interviewer: " if turn % 2 == 0 else "Deltager 2: ") + p
        paras.append(p)
        total += len(p) + 2
        turn += 1
    return "\n\n".join(paras) + "\n"
