#include "api/client/long_poll.hpp"

#include "api/services.hpp"
#include "rooms/notifier.hpp"

#include <memory>

namespace ranvier::api::client_server {

ApiResponse park_until_notified(RequestContext& ctx, std::int64_t generation,
                                std::chrono::steady_clock::time_point deadline, Recompute recompute) {
  ApiResponse waiting;
  waiting.long_poll = std::make_shared<LongPoll>();
  waiting.long_poll->deadline = deadline;
  auto& notifier = ctx.services.notifier;
  waiting.long_poll->arm = [&notifier, generation](std::function<void()> wake) {
    auto ticket = notifier.wait(generation, std::move(wake));
    return std::function<void()>([&notifier, ticket] { notifier.cancel(ticket); });
  };
  // The request outlives the parked request (the network layer keeps it until the answer is
  // written); services and the operation table live as long as the server.
  Services* services = &ctx.services;
  const ApiRequest* request = &ctx.request;
  const Operation* operation = &ctx.operation;
  auto principal = ctx.principal;
  waiting.long_poll->resume = [services, request, operation, principal,
                               recompute = std::move(recompute)](bool at_deadline) {
    RequestContext again{*request, *operation, *services, {}, {}, principal, std::nullopt};
    return recompute(again, at_deadline);
  };
  return waiting;
}

}  // namespace ranvier::api::client_server
