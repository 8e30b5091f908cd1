"""Measure the free-text cleaner on the labelled test corpus (tests/text/corpus.py).

Prints, per category, how many identifying spans were planted, the recall (share fully
redacted) and the share redacted under the right placeholder; then the precision of what
was redacted (characters) and the share of clinical words kept. ``--missed`` lists what was
missed and which clinical words were redacted (test data only: the corpus is synthetic).

    .venv/bin/python tools/text_eval.py [--seed N] [--count N] [--missed]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deidentify.cleaning import IdentifyingValues
from deidentify.text.cleaner import Cleaner
from tests.text.corpus import corpus
from tests.text.scoring import score

CATEGORIES = ("NAME", "DATE", "AGE", "ID", "CONTACT", "ORG")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--missed", action="store_true", help="list misses and redacted words")
    args = parser.parse_args()
    cleaner = Cleaner()
    empty = IdentifyingValues()
    samples = corpus(args.seed, args.count)
    scores = score(samples, lambda text: [
        (span.start, span.end, span.category.name) for span in cleaner.spans(text, "LT", empty)
    ])
    print(f"corpus: {len(samples)} texts (seed {args.seed})")
    print(f"{'category':10} {'planted':>8} {'recall':>8} {'typed':>8}")
    for category in CATEGORIES:
        planted = scores.planted[category]
        typed = scores.typed[category] / planted if planted else 1.0
        print(f"{category:10} {planted:8d} {scores.recall(category):8.1%} {typed:8.1%}")
    print(f"precision (redacted characters that were identity): {scores.precision:.1%}")
    kept = f"{scores.clinical_kept}/{scores.clinical_words} = {scores.kept:.1%}"
    print(f"clinical words kept: {kept}")
    if args.missed:
        for category, text in scores.missed:
            print(f"missed {category}: {text}")
        print("redacted clinical words:", scores.shredded.most_common(40))
    return 0


if __name__ == "__main__":
    sys.exit(main())
