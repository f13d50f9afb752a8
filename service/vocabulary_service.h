// circmatch.v1.VocabularyService on the gRPC callback API: lists, searches and pages the controlled
// vocabularies. The terms and their folded search keys are built once at construction.
//
// Thread-safety: immutable after construction; the handler runs concurrently on gRPC's threads.
#ifndef CIRCMATCH_SERVICE_VOCABULARY_SERVICE_H_
#define CIRCMATCH_SERVICE_VOCABULARY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "circmatch/v1/vocabulary_service.grpc.pb.h"
#include "circmatch/vocabulary.h"

namespace circmatch::service {

class Authenticator;

class VocabularyServiceImpl final : public v1::VocabularyService::CallbackService {
 public:
  // `vocabulary` is borrowed and must outlive the service.
  // Both borrowed; they must outlive the service.
  VocabularyServiceImpl(const Vocabulary* vocabulary, Authenticator* authenticator);

  grpc::ServerUnaryReactor* ListVocabulary(grpc::CallbackServerContext* context,
                                           const v1::ListVocabularyRequest* request,
                                           v1::ListVocabularyResponse* response) override;

  // The handler's logic, without gRPC (for tests).
  absl::Status List(const v1::ListVocabularyRequest& request, v1::ListVocabularyResponse* response) const;

 private:
  Authenticator* const authenticator_;
  // One term with its search keys, folded (lower case, accents removed).
  struct Entry {
    v1::VocabularyTerm term;
    std::vector<std::string> codes;   // folded codes a query may start with (CPV: also with check digit)
    std::vector<std::string> labels;  // folded labels a query may occur in
    std::string parent_key;           // CPV: the parent's 8-digit code; municipalities: the folded province
  };

  const Vocabulary* const vocabulary_;
  // Indexed by VocabularyList; each in code order.
  std::vector<std::vector<Entry>> lists_;
};

}  // namespace circmatch::service

#endif  // CIRCMATCH_SERVICE_VOCABULARY_SERVICE_H_
