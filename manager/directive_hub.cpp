#include "manager/directive_hub.hpp"

namespace cascade::manager {

DirectiveHub::DirectiveHub(boost::asio::io_context& io, std::chrono::milliseconds poll_timeout,
                           std::chrono::system_clock::time_point start)
    : io_(io), poll_timeout_(poll_timeout), sequence_(initial_sequence(start)) {}

std::uint64_t DirectiveHub::initial_sequence(std::chrono::system_clock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(start.time_since_epoch()).count());
}

void DirectiveHub::bump() {
  ++sequence_;
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& waiter : waiters) {
    if (!waiter->done) {
      waiter->done = true;
      waiter->timer->cancel();
      waiter->callback(sequence_);
    }
  }
}

void DirectiveHub::wait(std::uint64_t after, Callback callback) {
  if (sequence_ > after) {
    callback(sequence_);
    return;
  }
  auto waiter = std::make_shared<Waiter>();
  waiter->callback = std::move(callback);
  waiter->timer = std::make_unique<boost::asio::steady_timer>(io_, poll_timeout_);
  waiters_.push_back(waiter);
  waiter->timer->async_wait([this, waiter](const boost::system::error_code&) {
    if (waiter->done) {
      return;
    }
    waiter->done = true;
    waiters_.remove(waiter);
    waiter->callback(sequence_);
  });
}

}  // namespace cascade::manager
