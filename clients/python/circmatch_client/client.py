"""The circmatch gRPC client: a channel, the API key on every call, and helpers for the common calls."""

import csv
import types
from typing import Callable, Iterable, Iterator, List, Optional

import grpc
from google.protobuf import json_format

from circmatch.v1 import feedback_service_pb2, feedback_service_pb2_grpc
from circmatch.v1 import insights_service_pb2, insights_service_pb2_grpc
from circmatch.v1 import market_day_service_pb2, market_day_service_pb2_grpc
from circmatch.v1 import matching_service_pb2, matching_service_pb2_grpc
from circmatch.v1 import pairing_service_pb2, pairing_service_pb2_grpc
from circmatch.v1 import profile_pb2
from circmatch.v1 import profile_service_pb2, profile_service_pb2_grpc
from circmatch.v1 import rank_profile_service_pb2, rank_profile_service_pb2_grpc
from circmatch.v1 import vocabulary_service_pb2, vocabulary_service_pb2_grpc

# The generated message modules under one name: messages.Profile, messages.SuggestSuppliersRequest, ...
messages = types.SimpleNamespace()
for _module in (profile_pb2, profile_service_pb2, matching_service_pb2, vocabulary_service_pb2,
                pairing_service_pb2, market_day_service_pb2, feedback_service_pb2,
                rank_profile_service_pb2, insights_service_pb2):
    for _name in dir(_module):
        if not _name.startswith("_"):
            setattr(messages, _name, getattr(_module, _name))


class CircmatchError(Exception):
    """A failed call: the gRPC status code's name and the server's message (which names the field)."""

    def __init__(self, code: grpc.StatusCode, message: str):
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message


class _ApiKey(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
              grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds `authorization: Bearer <key>` to every call."""

    def __init__(self, key: str):
        self._metadata = ("authorization", f"Bearer {key}")

    def _with_key(self, details):
        metadata = list(details.metadata or []) + [self._metadata]
        return details._replace(metadata=metadata) if hasattr(details, "_replace") else _Details(details, metadata)

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._with_key(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._with_key(details), request)

    def intercept_stream_unary(self, continuation, details, request_iterator):
        return continuation(self._with_key(details), request_iterator)

    def intercept_stream_stream(self, continuation, details, request_iterator):
        return continuation(self._with_key(details), request_iterator)


class _Details(grpc.ClientCallDetails):
    def __init__(self, details, metadata):
        self.method = details.method
        self.timeout = details.timeout
        self.metadata = metadata
        self.credentials = details.credentials
        self.wait_for_ready = getattr(details, "wait_for_ready", None)
        self.compression = getattr(details, "compression", None)


class Client:
    """A connection to one circmatch-server.

    server: "host:port". api_key: the partner's key (None in the development mode without keys).
    tls_ca_file: PEM CA certificates to verify a TLS server (None: plaintext). timeout: seconds per call.
    """

    def __init__(self, server: str, api_key: Optional[str] = None, tls_ca_file: Optional[str] = None,
                 timeout: float = 30.0):
        options = [("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]
        if tls_ca_file:
            with open(tls_ca_file, "rb") as f:
                credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
            channel = grpc.secure_channel(server, credentials, options=options)
        else:
            channel = grpc.insecure_channel(server, options=options)
        self._raw_channel = channel
        if api_key:
            channel = grpc.intercept_channel(channel, _ApiKey(api_key))
        self.channel = channel
        self.timeout = timeout
        self.profiles = profile_service_pb2_grpc.ProfileServiceStub(channel)
        self.matching = matching_service_pb2_grpc.MatchingServiceStub(channel)
        self.vocabulary = vocabulary_service_pb2_grpc.VocabularyServiceStub(channel)
        self.pairing = pairing_service_pb2_grpc.PairingServiceStub(channel)
        self.market_days = market_day_service_pb2_grpc.MarketDayServiceStub(channel)
        self.feedback = feedback_service_pb2_grpc.FeedbackServiceStub(channel)
        self.rank_profiles = rank_profile_service_pb2_grpc.RankProfileServiceStub(channel)
        self.insights = insights_service_pb2_grpc.InsightsServiceStub(channel)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._raw_channel.close()

    def _call(self, method, request, timeout=None):
        try:
            return method(request, timeout=timeout or self.timeout)
        except grpc.RpcError as error:
            raise CircmatchError(error.code(), error.details()) from None

    # --- profiles -------------------------------------------------------------------------------------------

    def upsert(self, profiles: Iterable) -> profile_service_pb2.UpsertProfilesResponse:
        """Writes profiles (messages or proto3 JSON dicts) in one all-or-nothing batch."""
        request = profile_service_pb2.UpsertProfilesRequest(profiles=[_profile(p) for p in profiles])
        return self._call(self.profiles.UpsertProfiles, request)

    def get(self, profile_id: str, owner: str = "") -> profile_pb2.Profile:
        request = profile_service_pb2.GetProfileRequest(ref=profile_pb2.ProfileRef(owner=owner, id=profile_id))
        return self._call(self.profiles.GetProfile, request).profile

    def import_profiles(self, profiles: Iterable, batch_size: int = 500,
                        progress: Optional[Callable[[int], None]] = None) -> profile_service_pb2.ImportProfilesResponse:
        """Streams profiles to ImportProfiles in batches (each committed before the next is read); calls
        `progress(sent_so_far)` after each batch is sent."""

        def batches() -> Iterator[profile_service_pb2.ImportProfilesRequest]:
            batch: List[profile_pb2.Profile] = []
            sent = 0
            for profile in profiles:
                batch.append(_profile(profile))
                if len(batch) == batch_size:
                    yield profile_service_pb2.ImportProfilesRequest(profiles=batch)
                    sent += len(batch)
                    batch = []
                    if progress:
                        progress(sent)
            if batch:
                yield profile_service_pb2.ImportProfilesRequest(profiles=batch)
                if progress:
                    progress(sent + len(batch))

        try:
            return self.profiles.ImportProfiles(batches(), timeout=None)
        except grpc.RpcError as error:
            raise CircmatchError(error.code(), error.details()) from None

    # --- matching -------------------------------------------------------------------------------------------

    def suggest_suppliers(self, tender_id: str = "", k: int = 10, tender: Optional[dict] = None,
                          filter: Optional[dict] = None, weights: Optional[dict] = None, owner: str = ""):
        """Suppliers for a stored tender (by id) or an inline one (a proto3 JSON dict), best first."""
        request = matching_service_pb2.SuggestSuppliersRequest(query=matching_service_pb2.MatchQuery(k=k))
        if tender is not None:
            request.tender_profile.CopyFrom(_profile(tender))
        else:
            request.tender_ref.CopyFrom(profile_pb2.ProfileRef(owner=owner, id=tender_id))
        if filter:
            json_format.ParseDict(filter, request.query.filter)
        if weights:
            json_format.ParseDict(weights, request.query.weights)
        return self._call(self.matching.SuggestSuppliers, request)

    def suggest_tenders(self, supplier_id: str, k: int = 10, owner: str = ""):
        request = matching_service_pb2.SuggestTendersRequest(
            supplier_ref=profile_pb2.ProfileRef(owner=owner, id=supplier_id),
            query=matching_service_pb2.MatchQuery(k=k))
        return self._call(self.matching.SuggestTenders, request)

    def find_buddies(self, buddy_id: str, k: int = 10, owner: str = ""):
        request = matching_service_pb2.FindBuddiesRequest(buddy_ref=profile_pb2.ProfileRef(owner=owner, id=buddy_id),
                                                          query=matching_service_pb2.MatchQuery(k=k))
        return self._call(self.matching.FindBuddies, request)

    def pair_buddies(self, request: dict):
        """PairBuddies with a proto3 JSON request, e.g. {"cohortFilter": {"tags": ["regio-zwolle"]},
        "mode": "PAIRING_MODE_MENTORING"}."""
        return self._call(self.pairing.PairBuddies,
                          json_format.ParseDict(request, pairing_service_pb2.PairBuddiesRequest()))

    def list_vocabulary(self, vocabulary_list: str, query: str = "", page_size: int = 20):
        request = vocabulary_service_pb2.ListVocabularyRequest(
            list=vocabulary_service_pb2.VocabularyList.Value(vocabulary_list), query=query, page_size=page_size)
        return self._call(self.vocabulary.ListVocabulary, request)

    def suggest_codes(self, text: str, max_suggestions: int = 0):
        """CPV codes for a free Dutch or English text, best first, with the words that met each (0: 10 codes)."""
        request = vocabulary_service_pb2.SuggestCodesRequest(text=text, max_suggestions=max_suggestions)
        return self._call(self.vocabulary.SuggestCodes, request)


def _profile(profile) -> profile_pb2.Profile:
    if isinstance(profile, profile_pb2.Profile):
        return profile
    return json_format.ParseDict(profile, profile_pb2.Profile())


def profiles_from_csv(path: str) -> Iterator[dict]:
    """Profiles from a CSV file with a header: id, kind (tender, supplier, buyer, buddy), display_name,
    organization, municipality, cpv_codes, strategies, materials, certifications (lists separated by ';'),
    text, visibility (shared or private)."""
    kinds = {"tender": "PROFILE_KIND_TENDER", "supplier": "PROFILE_KIND_SUPPLIER", "buyer": "PROFILE_KIND_BUYER",
             "buddy": "PROFILE_KIND_BUDDY"}
    with open(path, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            kind = kinds.get((row.get("kind") or "").strip().lower())
            if kind is None:
                raise ValueError(f"{path}:{line}: kind must be one of {', '.join(kinds)}, got {row.get('kind')!r}")
            facets = {}
            for column, field in (("cpv_codes", "cpvCodes"), ("strategies", "strategies"),
                                  ("materials", "materials"), ("certifications", "certifications")):
                values = [v.strip() for v in (row.get(column) or "").split(";") if v.strip()]
                if values:
                    facets[field] = values
            if (row.get("text") or "").strip():
                facets["text"] = row["text"].strip()
            side = {"PROFILE_KIND_SUPPLIER": "capabilities", "PROFILE_KIND_BUDDY": "offers"}.get(kind, "needs")
            profile = {"id": row["id"].strip(), "kind": kind, side: facets,
                       "visibility": "VISIBILITY_PRIVATE" if (row.get("visibility") or "").strip() == "private"
                       else "VISIBILITY_SHARED"}
            for column, field in (("display_name", "displayName"), ("organization", "organization")):
                if (row.get(column) or "").strip():
                    profile[field] = row[column].strip()
            if (row.get("municipality") or "").strip():
                profile["location"] = {"municipality": row["municipality"].strip()}
            yield profile
