#!/usr/bin/env python3
"""Pairs a cohort of procurement buddies (all stored buddies with a tag) and prints the pairs and who is left.

    python3 pair_buddies.py --server 127.0.0.1:50051 --tag regio-zwolle [--mode peer] [--min-score 0.2]
"""
import argparse
import os
import sys

from circmatch_client import CircmatchError, Client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("CIRCMATCH_SERVER", "127.0.0.1:50051"))
    parser.add_argument("--api-key", default=os.environ.get("CIRCMATCH_API_KEY"))
    parser.add_argument("--tag", required=True)
    parser.add_argument("--mode", choices=["mentoring", "peer"], default="mentoring")
    parser.add_argument("--min-score", type=float, default=0.0)
    args = parser.parse_args()
    request = {"cohortFilter": {"tags": [args.tag]}, "mode": f"PAIRING_MODE_{args.mode.upper()}",
               "constraints": {"minScore": args.min_score}}
    with Client(args.server, api_key=args.api_key) as client:
        try:
            response = client.pair_buddies(request)
        except CircmatchError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    for pair in response.pairs:
        print(f"{pair.score:.3f}  {pair.a.id} <- {pair.b.id}")
    for member in response.unpaired:
        print(f"unpaired {member.ref.id}: {member.detail}")
    print(f"total {response.total_score:.3f}, upper bound {response.upper_bound:.3f}, "
          f"{'optimal' if response.optimal else 'not proven optimal'} ({response.method})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
