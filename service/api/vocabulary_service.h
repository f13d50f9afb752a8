// circmatch.v1.VocabularyService on the gRPC callback API: lists, searches and pages the controlled
// vocabularies, and suggests CPV codes for a free text (CodeSuggester). The terms and their folded search keys
// are built once at construction.
//
// Thread-safety: immutable after construction; the handler runs concurrently on gRPC's threads.
#ifndef CIRCMATCH_SERVICE_API_VOCABULARY_SERVICE_H_
#define CIRCMATCH_SERVICE_API_VOCABULARY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "circmatch/code_suggester.h"
#include "circmatch/v1/vocabulary_service.grpc.pb.h"
#include "circmatch/vocabulary.h"
#include "service/api/unary_calls.h"

namespace circmatch::service {

class Authenticator;

class VocabularyServiceImpl final : public v1::VocabularyService::CallbackService {
 public:
  // All borrowed; they must outlive the service.
  VocabularyServiceImpl(const Vocabulary* vocabulary, const CodeSuggester* code_suggester,
                        Authenticator* authenticator);

  grpc::ServerUnaryReactor* ListVocabulary(grpc::CallbackServerContext* context,
                                           const v1::ListVocabularyRequest* request,
                                           v1::ListVocabularyResponse* response) override;

  grpc::ServerUnaryReactor* SuggestCodes(grpc::CallbackServerContext* context, const v1::SuggestCodesRequest* request,
                                         v1::SuggestCodesResponse* response) override;

  // The handlers' logic, without gRPC (for tests).
  absl::Status List(const v1::ListVocabularyRequest& request, v1::ListVocabularyResponse* response) const;
  // INVALID_ARGUMENT for an empty text or one over kMaxSuggestTextLength code points, or max_suggestions
  // outside 0..kMaxSuggestions.
  absl::Status Suggest(const v1::SuggestCodesRequest& request, v1::SuggestCodesResponse* response) const;

  static constexpr int kMaxSuggestTextLength = 10000;
  static constexpr int kMaxSuggestions = 50;
  static constexpr int kDefaultSuggestions = 10;

 private:
  const UnaryCalls calls_;  // not audited
  // One term with its search keys, folded (lower case, accents removed).
  struct Entry {
    v1::VocabularyTerm term;
    std::vector<std::string> codes;   // folded codes a query may start with (CPV: also with check digit)
    std::vector<std::string> labels;  // folded labels a query may occur in
    std::string parent_key;           // CPV: the parent's 8-digit code; municipalities: the folded province
  };

  const Vocabulary* const vocabulary_;
  const CodeSuggester* const code_suggester_;
  // Indexed by VocabularyList; each in code order.
  std::vector<std::vector<Entry>> lists_;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_API_VOCABULARY_SERVICE_H_
