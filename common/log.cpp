#include "common/log.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace cascade {

std::shared_ptr<spdlog::logger> component_logger(const std::string& name) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %n: %v");
  logger->set_level(spdlog::get_level());
  return logger;
}

bool set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return false;
  }
  spdlog::set_level(parsed);
  return true;
}

}  // namespace cascade
