#include "service/api/vocabulary_service.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "circmatch/text_analysis.h"
#include "service/convert/page_token.h"

namespace circmatch::service {
namespace {

std::string Fold(absl::string_view text) { return FoldAndLower(absl::StripAsciiWhitespace(text)); }

}  // namespace

VocabularyServiceImpl::VocabularyServiceImpl(const Vocabulary* vocabulary, const CodeSuggester* code_suggester,
                                             Authenticator* authenticator)
    : calls_(authenticator),
      vocabulary_(vocabulary),
      code_suggester_(code_suggester),
      lists_(v1::VocabularyList_ARRAYSIZE) {
  {
    std::vector<Entry>& cpv = lists_[v1::VOCABULARY_LIST_CPV];
    const std::vector<CpvCode>& codes = vocabulary->cpv_codes();
    cpv.reserve(codes.size());
    for (const CpvCode& code : codes) {
      Entry entry;
      entry.term.set_code(code.code8);
      entry.term.set_label_en(code.label_en);
      entry.term.set_label_nl(code.label_nl);
      if (code.parent >= 0) entry.term.set_parent_code(codes[code.parent].code8);
      entry.term.set_level(code.level);
      entry.codes = {code.code8, Fold(code.code)};
      entry.labels = {Fold(code.label_en), Fold(code.label_nl)};
      entry.parent_key = entry.term.parent_code();
      cpv.push_back(std::move(entry));
    }
  }
  auto add_terms = [&](v1::VocabularyList list, const std::vector<Term>& terms) {
    std::vector<Entry>& entries = lists_[list];
    for (const Term& term : terms) {
      Entry entry;
      entry.term.set_code(term.id);
      entry.term.set_label_en(term.label_en);
      entry.term.set_label_nl(term.label_nl);
      entry.term.set_level(term.level);
      entry.codes = {Fold(term.id)};
      entry.labels = {Fold(term.label_en), Fold(term.label_nl)};
      for (const std::string& alias : term.aliases) entry.labels.push_back(Fold(alias));
      entries.push_back(std::move(entry));
    }
  };
  // The small lists keep the vocabulary's order (R0..R9; the curated order of the others).
  add_terms(v1::VOCABULARY_LIST_STRATEGIES, vocabulary->strategies());
  add_terms(v1::VOCABULARY_LIST_MATERIALS, vocabulary->materials());
  add_terms(v1::VOCABULARY_LIST_CERTIFICATIONS, vocabulary->certifications());
  add_terms(v1::VOCABULARY_LIST_PHASES, vocabulary->phases());
  add_terms(v1::VOCABULARY_LIST_TOPICS, vocabulary->topics());
  {
    std::vector<Entry>& municipalities = lists_[v1::VOCABULARY_LIST_MUNICIPALITIES];
    for (const Municipality& municipality : vocabulary->municipalities()) {
      Entry entry;
      entry.term.set_code(municipality.code);
      entry.term.set_label_en(municipality.name);
      entry.term.set_label_nl(municipality.name);
      entry.term.set_parent_code(municipality.province);
      entry.term.set_latitude(municipality.centre.latitude);
      entry.term.set_longitude(municipality.centre.longitude);
      entry.codes = {Fold(municipality.code)};
      entry.labels = {Fold(municipality.name)};
      entry.parent_key = Fold(municipality.province);
      municipalities.push_back(std::move(entry));
    }
    std::sort(municipalities.begin(), municipalities.end(),
              [](const Entry& a, const Entry& b) { return a.term.code() < b.term.code(); });
  }
}

absl::Status VocabularyServiceImpl::List(const v1::ListVocabularyRequest& request,
                                         v1::ListVocabularyResponse* response) const {
  const v1::VocabularyList list = request.list();
  if (list == v1::VOCABULARY_LIST_UNSPECIFIED) return absl::InvalidArgumentError("list: must be set");
  if (!v1::VocabularyList_IsValid(list)) {
    return absl::InvalidArgumentError(absl::StrCat("list: unknown value ", static_cast<int>(list)));
  }
  absl::StatusOr<int> page_size = PageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  int offset = 0;
  if (!request.page_token().empty()) {
    absl::StatusOr<int> decoded = DecodeOffsetToken(request.page_token());
    if (!decoded.ok()) return decoded.status();
    offset = *decoded;
  }

  std::string parent;
  if (!request.parent_code().empty()) {
    if (list == v1::VOCABULARY_LIST_CPV) {
      const CpvCode* code = vocabulary_->FindCpv(absl::StripAsciiWhitespace(request.parent_code()));
      if (code == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("parent_code: unknown CPV code \"", request.parent_code(), "\""));
      }
      parent = code->code8;
    } else if (list == v1::VOCABULARY_LIST_MUNICIPALITIES) {
      parent = Fold(request.parent_code());
    } else {
      return absl::InvalidArgumentError(
          "parent_code: only VOCABULARY_LIST_CPV and VOCABULARY_LIST_MUNICIPALITIES have parents");
    }
  }

  // Matches in code order, code-prefix matches before the rest.
  const std::string query = Fold(request.query());
  const std::vector<Entry>& entries = lists_[list];
  std::vector<const Entry*> prefix_matches;
  std::vector<const Entry*> other_matches;
  for (const Entry& entry : entries) {
    if (!parent.empty() && entry.parent_key != parent) continue;
    if (query.empty()) {
      prefix_matches.push_back(&entry);
      continue;
    }
    bool prefix = false;
    bool contains = false;
    for (const std::string& code : entry.codes) {
      if (absl::StartsWith(code, query)) prefix = true;
      if (absl::StrContains(code, query)) contains = true;
    }
    for (const std::string& label : entry.labels) {
      if (!contains && absl::StrContains(label, query)) contains = true;
    }
    if (prefix) {
      prefix_matches.push_back(&entry);
    } else if (contains) {
      other_matches.push_back(&entry);
    }
  }
  prefix_matches.insert(prefix_matches.end(), other_matches.begin(), other_matches.end());
  const int total = static_cast<int>(prefix_matches.size());
  if (offset > total) return absl::InvalidArgumentError("page_token: past the end of the list");

  const int end = std::min(total, offset + *page_size);
  for (int i = offset; i < end; ++i) *response->add_terms() = prefix_matches[i]->term;
  if (end < total) response->set_next_page_token(EncodeOffsetToken(end));
  response->set_total_count(total);
  return absl::OkStatus();
}

absl::Status VocabularyServiceImpl::Suggest(const v1::SuggestCodesRequest& request,
                                            v1::SuggestCodesResponse* response) const {
  const std::string& text = request.text();
  if (absl::StripAsciiWhitespace(text).empty()) return absl::InvalidArgumentError("text: must not be empty");
  // Code points: every byte that does not continue a UTF-8 sequence (proto3 strings are valid UTF-8).
  const int64_t length = std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; });
  if (length > kMaxSuggestTextLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("text: must be at most ", kMaxSuggestTextLength, " characters, got ", length));
  }
  const int max = request.max_suggestions();
  if (max < 0 || max > kMaxSuggestions) {
    return absl::InvalidArgumentError(absl::StrCat("max_suggestions: must be between 1 and ", kMaxSuggestions,
                                                   " (0 means ", kDefaultSuggestions, "), got ", max));
  }
  const std::vector<CpvCode>& codes = vocabulary_->cpv_codes();
  for (const SuggestedCode& s : code_suggester_->Suggest(text, max == 0 ? kDefaultSuggestions : max)) {
    const CpvCode& code = codes[s.cpv];
    v1::CodeSuggestion* out = response->add_suggestions();
    out->set_code(code.code8);
    out->set_label_nl(code.label_nl);
    out->set_label_en(code.label_en);
    out->set_score(s.score);
    for (const std::string& word : s.matched_words) out->add_matched_words(word);
    out->set_code_with_check_digit(code.code);
    out->set_level(code.level);
    if (code.parent >= 0) out->set_parent_code(codes[code.parent].code8);
    out->set_works(s.works);
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* VocabularyServiceImpl::SuggestCodes(grpc::CallbackServerContext* context,
                                                              const v1::SuggestCodesRequest* request,
                                                              v1::SuggestCodesResponse* response) {
  return calls_.Serve(context, "SuggestCodes", request, response,
                      [&](const std::string& /*caller*/) { return Suggest(*request, response); });
}

grpc::ServerUnaryReactor* VocabularyServiceImpl::ListVocabulary(grpc::CallbackServerContext* context,
                                                                const v1::ListVocabularyRequest* request,
                                                                v1::ListVocabularyResponse* response) {
  return calls_.Serve(context, "ListVocabulary", request, response,
                      [&](const std::string& /*caller*/) { return List(*request, response); });
}

}  // namespace circmatch::service
