#include "bridge_common.h"

namespace mlseg {
namespace {
thread_local std::string last_error;
}

void set_last_error(std::string message) {
  // libtorch messages can carry an "Exception raised from ..." trailer; keep only the message.
  auto trailer = message.find("\nException raised from");
  if (trailer != std::string::npos) message.resize(trailer);
  last_error = std::move(message);
}

void clear_last_error() { last_error.clear(); }
}  // namespace mlseg

MLSEG_API const char* mlseg_last_error(void) { return mlseg::last_error.c_str(); }
