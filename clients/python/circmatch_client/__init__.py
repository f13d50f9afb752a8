"""A small Python client of circmatch-server over gRPC.

    from circmatch_client import Client
    with Client("127.0.0.1:50051", api_key="cmk_...") as client:
        for match in client.suggest_suppliers("tender-0001", k=5).matches:
            print(match.rank, match.profile.display_name, round(match.score, 3))

Every service's generated stub is also at hand (client.profiles, client.matching, client.vocabulary,
client.pairing, client.market_days, client.feedback, client.rank_profiles, client.insights) for calls the
helpers below do not cover; the API key goes with every call. Messages are the generated ones of
proto/circmatch/v1 (see `messages`).
"""

from circmatch_client.client import Client, CircmatchError, messages

__all__ = ["Client", "CircmatchError", "messages"]
