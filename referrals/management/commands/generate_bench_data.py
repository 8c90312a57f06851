"""Fill an empty PostgreSQL database with realistic referrals for the benchmarks.

    python manage.py generate_bench_data --referrals 1000000

See bench/generator.py for what is made and how (COPY, in chunks).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Generate realistic referrals (and everything around them) for the benchmarks."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--referrals", type=int, required=True, help="How many referrals to generate.")
        parser.add_argument("--front-doors", type=int, default=10)
        parser.add_argument("--years", type=float, default=3.0, help="Years of referrals kept.")
        parser.add_argument("--open-share", type=float, default=0.05, help="Share still open (0.05 is 5%%).")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The generator writes with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database")
        from bench.generator import generate

        try:
            meta = generate(
                referrals=options["referrals"], front_doors=options["front_doors"], years=options["years"],
                open_share=options["open_share"], seed=options["seed"],
                progress=lambda line: self.stdout.write(line) if options["verbosity"] > 1 else None,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(meta["rows"].values())
        self.stdout.write(f"Generated {meta['referrals']:,} referrals ({rows:,} rows) in {meta['seconds']} s")
