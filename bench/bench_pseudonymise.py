"""Throughput of the pseudonymiser: ~10 MB of Danish-like text, 200 known persons, words per second.

Run: .venv/bin/python bench/bench_pseudonymise.py [--mb 10]
"""

from __future__ import annotations

import random
import sys
import time

from aia.privacy.pseudonymise import KnownPerson, compile_known, pseudonymise

FIRST = [
    "Mette",
    "Søren",
    "Anne",
    "Lars",
    "Jens",
    "Kirsten",
    "Niels",
    "Hanne",
    "Peter",
    "Louise",
    "Ahmed",
    "Fatima",
    "Mikkel",
    "Camilla",
    "Jørgen",
    "Helle",
    "Rasmus",
    "Ida",
    "Emil",
    "Freja",
]
LAST = [
    "Hansen",
    "Jensen",
    "Nielsen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Møller",
    "Holm",
    "Østergaard",
]
WORDS = [
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
    "men",
    "vi",
    "har",
    "hun",
    "jeg",
    "bruger",
    "virksomheden",
    "kunden",
    "koden",
    "værktøjet",
    "arbejdet",
    "kollegaerne",
    "oplevelsen",
    "prompten",
    "fejlen",
    "lærte",
    "brugte",
    "sagde",
    "mente",
    "synes",
    "måske",
    "altid",
    "aldrig",
    "meget",
    "lidt",
    "godt",
    "dårligt",
    "nemt",
    "svært",
    "hurtigt",
    "langsomt",
    "chatbotten",
    "licensen",
    "mødet",
]


def make_text(target_bytes: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < target_bytes:
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
        roll = rng.random()
        pos = rng.randrange(1, len(words))
        if roll < 0.25:
            words.insert(pos, f"{rng.choice(FIRST)} {rng.choice(LAST)}")
        elif roll < 0.45:
            words.insert(pos, rng.choice(FIRST) + rng.choice(["", "s"]))
        elif roll < 0.5:
            words.insert(pos, f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}@firma.dk")
        elif roll < 0.55:
            words.insert(
                pos, f"tlf. {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            )
        elif roll < 0.57:
            words.insert(pos, f"ordre {rng.randint(20000000, 99999999)}")
        sentence = " ".join(words)
        sentence = sentence[0].upper() + sentence[1:] + ". "
        if rng.random() < 0.1:
            sentence += "\n"
        parts.append(sentence)
        size += len(sentence.encode())
    return "".join(parts)


def known_persons(n: int = 200) -> list[KnownPerson]:
    rng = random.Random(3)
    out = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST) + ("" if i < 60 else f"-{rng.choice(LAST)}")
        out.append(
            KnownPerson(
                f"SWU-P{i + 1:03d}",
                names=(f"{first} {last}",),
                surname=last if i % 3 == 0 else None,
                aliases=(f"{first[:3]}{i}",),
                emails=(f"p{i}@firma.dk",),
                phones=(f"2{i:07d}",),
            )
        )
    return out


def main() -> None:
    mb = float(sys.argv[sys.argv.index("--mb") + 1]) if "--mb" in sys.argv else 10.0
    text = make_text(int(mb * 1_000_000))
    words = len(text.split())
    t0 = time.perf_counter()
    index = compile_known(known_persons())
    t1 = time.perf_counter()
    result = pseudonymise(text, index, b"bench-secret")
    t2 = time.perf_counter()
    print(f"text: {len(text.encode()) / 1e6:.1f} MB, {words:,} words; compile 200 known persons: {t1 - t0:.3f} s")
    print(
        f"pseudonymise: {t2 - t1:.2f} s, {words / (t2 - t1):,.0f} words/s; "
        f"{len(result.replacements):,} replacements, {len(result.flags):,} flags"
    )


if __name__ == "__main__":
    main()
