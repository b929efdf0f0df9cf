#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace cascade {

// Returns the named logger of a component ("manager", "tracker", "node"),
// creating it on first use. Output goes to stderr.
std::shared_ptr<spdlog::logger> component_logger(const std::string& name);

// Sets the level of every component logger from "debug", "info", "warn" or
// "error"; returns false for any other word.
bool set_log_level(const std::string& level);

}  // namespace cascade
