// The client channel of the load benchmarks (grpc_load.cc, ingest_benchmark.cc): a connection of its own per
// simulated client, as separate portals would have.
#ifndef CIRCMATCH_BENCH_LOAD_CHANNEL_H_
#define CIRCMATCH_BENCH_LOAD_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace circmatch::bench {

// Client `i`'s channel to `address`; channels otherwise share subchannels, and so one connection.
inline std::shared_ptr<grpc::Channel> NewChannel(const std::string& address, int i) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("circmatch.bench.client", i);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace circmatch::bench

#endif  // CIRCMATCH_BENCH_LOAD_CHANNEL_H_
