// The archive a run's state is saved to and loaded from, for checkpoints and forked sweeps.
// cereal (libcereal-dev) does the work: its portable binary archive writes fixed-width,
// little-endian values, so a checkpoint reads back bit for bit on any machine, and each
// stateful class lists its members once, in one `serialize` for both directions. Include this
// header only where a state is saved or loaded; the classes' `serialize` members are
// templates that need no cereal header of their own.
#pragma once

#include <Eigen/Core>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>
#include <sstream>
#include <string>

#include "gpumarket/core/random.hpp"
#include "gpumarket/core/time.hpp"
#include "gpumarket/engine/event_queue.hpp"

namespace gpumarket {

using StateWriter = cereal::PortableBinaryOutputArchive;
using StateReader = cereal::PortableBinaryInputArchive;

template <class Archive>
void save(Archive& archive, const SimTime& time) {
  archive(time.count_micros());
}
template <class Archive>
void load(Archive& archive, SimTime& time) {
  int64_t micros = 0;
  archive(micros);
  time = SimTime::micros(micros);
}
template <class Archive>
void save(Archive& archive, const Duration& duration) {
  archive(duration.count_micros());
}
template <class Archive>
void load(Archive& archive, Duration& duration) {
  int64_t micros = 0;
  archive(micros);
  duration = Duration::micros(micros);
}
template <class Archive>
void serialize(Archive& archive, EventHandle& handle) {
  archive(handle.sequence);
}
template <class Archive>
void serialize(Archive& archive, Event& event) {
  archive(event.time, event.order, event.handler, event.arg);
}

}  // namespace gpumarket

// Types of other libraries: cereal finds these through the archive's namespace.
namespace cereal {

/// Boost's generators print their whole state as decimal words and read it back exactly.
template <class Archive>
void save(Archive& archive, const gpumarket::RandomEngine& engine) {
  std::ostringstream text;
  text << engine;
  archive(text.str());
}
template <class Archive>
void load(Archive& archive, gpumarket::RandomEngine& engine) {
  std::string text;
  archive(text);
  std::istringstream in(text);
  in >> engine;
}

template <class Archive, class Scalar, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
void save(Archive& archive,
          const Eigen::Array<Scalar, Rows, Cols, Options, MaxRows, MaxCols>& array) {
  archive(static_cast<int64_t>(array.rows()), static_cast<int64_t>(array.cols()));
  for (Eigen::Index i = 0; i < array.size(); ++i) archive(array.data()[i]);
}
template <class Archive, class Scalar, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
void load(Archive& archive, Eigen::Array<Scalar, Rows, Cols, Options, MaxRows, MaxCols>& array) {
  int64_t rows = 0, cols = 0;
  archive(rows, cols);
  array.resize(rows, cols);
  for (Eigen::Index i = 0; i < array.size(); ++i) archive(array.data()[i]);
}

}  // namespace cereal
