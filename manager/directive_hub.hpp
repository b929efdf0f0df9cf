#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace cascade::manager {

// Long poll behind GET /v1/node/directives. Every change that can alter a
// node's directives bumps the sequence number. A waiter whose `after` is
// older is woken at once, and the others at the next bump or timeout. Runs on the
// server's io_context thread only.
class DirectiveHub {
 public:
  using Callback = std::function<void(std::uint64_t sequence)>;

  // `start` sets the first sequence number; see initial_sequence.
  DirectiveHub(boost::asio::io_context& io, std::chrono::milliseconds poll_timeout,
               std::chrono::system_clock::time_point start = std::chrono::system_clock::now());

  // The wall clock in microseconds: higher than any sequence a node saw
  // before a manager restart, unless the manager changed more than once
  // per microsecond, so nodes refresh at once.
  static std::uint64_t initial_sequence(std::chrono::system_clock::time_point start);

  std::uint64_t sequence() const { return sequence_; }
  void bump();
  // Calls `callback` once: now if sequence() > after, else at the next bump
  // or when the poll timeout ends.
  void wait(std::uint64_t after, Callback callback);
  std::size_t waiting() const { return waiters_.size(); }

 private:
  struct Waiter {
    Callback callback;
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool done = false;
  };

  boost::asio::io_context& io_;
  std::chrono::milliseconds poll_timeout_;
  std::uint64_t sequence_;
  std::list<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace cascade::manager
