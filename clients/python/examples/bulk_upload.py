#!/usr/bin/env python3
"""Uploads profiles from a CSV file through the streaming ImportProfiles call, with a progress bar.

    python3 bulk_upload.py --server 127.0.0.1:50051 suppliers.csv [--api-key KEY] [--batch 500]

CSV columns (header first): id, kind (tender, supplier, buyer, buddy), display_name, organization,
municipality, cpv_codes, strategies, materials, certifications (lists separated by ';'), text, visibility.
"""
import argparse
import os
import sys

from circmatch_client import CircmatchError, Client
from circmatch_client.client import profiles_from_csv


def progress_bar(total: int):
    def show(done: int) -> None:
        width = 40
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
    return show


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_file")
    parser.add_argument("--server", default=os.environ.get("CIRCMATCH_SERVER", "127.0.0.1:50051"))
    parser.add_argument("--api-key", default=os.environ.get("CIRCMATCH_API_KEY"))
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    try:
        profiles = list(profiles_from_csv(args.csv_file))
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 65
    with Client(args.server, api_key=args.api_key) as client:
        try:
            response = client.import_profiles(profiles, batch_size=args.batch, progress=progress_bar(len(profiles)))
        except CircmatchError as error:
            print(f"\nerror: {error}", file=sys.stderr)
            return 1
    sys.stderr.write("\n")
    print(f"imported {response.upserted_count} profiles in {response.batch_count} batches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
