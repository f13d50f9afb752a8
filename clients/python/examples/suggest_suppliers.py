#!/usr/bin/env python3
"""Prints the suppliers circmatch suggests for a stored tender, with the reasons.

    python3 suggest_suppliers.py --server 127.0.0.1:50051 tender-0001 --k 5 [--api-key KEY] [--max-km 50]
"""
import argparse
import os
import sys

from circmatch_client import CircmatchError, Client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tender", help="id of a stored tender")
    parser.add_argument("--server", default=os.environ.get("CIRCMATCH_SERVER", "127.0.0.1:50051"))
    parser.add_argument("--api-key", default=os.environ.get("CIRCMATCH_API_KEY"))
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--max-km", type=float, default=0, help="only suppliers within this distance")
    args = parser.parse_args()
    with Client(args.server, api_key=args.api_key) as client:
        try:
            response = client.suggest_suppliers(args.tender, k=args.k, filter={"maxDistanceKm": args.max_km})
        except CircmatchError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    for match in response.matches:
        cpv = ", ".join(f"{c.query_code}->{c.candidate_code}" for c in match.explanation.cpv_matches)
        distance = f"{match.explanation.distance_km:.0f} km" if match.explanation.HasField("distance_km") else "?"
        print(f"{match.rank:>2}. {match.score:.3f}  {match.profile.id:<16} {match.profile.display_name}")
        print(f"      cpv {cpv or '-'}; strategies {', '.join(match.explanation.shared_strategies) or '-'}; "
              f"{distance}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
