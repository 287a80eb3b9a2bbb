// A run's state, saved at a date and loaded by a model of a scenario with the same history
// up to it: what checkpoints and forked sweeps continue from. Parameters are not state: the
// loading model has its own scenario, whose timeline steps before the date it applies again
// (they equal the saved run's: the checkpoint's scenario hash says so) and whose later steps
// it schedules in place of the saved run's.
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/stream.hpp>
#include <sstream>

#include "market_model_impl.hpp"
#include "market_state_archive.hpp"

namespace gpumarket {
namespace {

// The elements of a vector the model built from its scenario: their number is the
// scenario's, the same in the saving and the loading model.
template <class Archive, class T>
void each(Archive& archive, std::vector<T>& elements) {
  for (T& element : elements) archive(element);
}

}  // namespace

template <class Archive>
void MarketModel::Impl::run_state(Archive& archive) {
  archive(jobs_);
  for (SegmentRuntime& segment : segments_) {
    archive(segment.arrival_rng, segment.size_rng, segment.jobs_over_horizon);
  }
  archive(*licences_, licence_rng_, enforcement_rng_, next_licence_planning_);
  for (const auto& venue : venues_) {
    if constexpr (Archive::is_saving::value) {
      venue->save_state(archive);
    } else {
      venue->load_state(archive);
    }
  }
  each(archive, bridges_);
  each(archive, chains_);
  each(archive, verification_);
  each(archive, provers_);
  archive(route_table_, value_factor_, routing_rng_, hardware_, last_tick_, *metrics_,
          jobs_in_transit_, totals_, bridge_jobs_, outage_rngs_, returned_jobs_, bridge_added_pf_,
          venue_capacity_pf_, jobs_in_proof_, rows_);
}

std::string MarketModel::Impl::save_state() {
  std::ostringstream bytes;
  {
    StateWriter archive(bytes);
    const Simulation::State loop = sim_.state();
    archive(loop.now, loop.events_processed, loop.next_sequence, loop.pending);
    run_state(archive);
  }
  return std::move(bytes).str();
}

void MarketModel::Impl::resume(Recorder& recorder, Progress progress, const std::string& state,
                               bool keep_rows) {
  progress_ = std::move(progress);
  rows_.attach(recorder);
  if (keep_rows) rows_.keep_rows();
  metrics_->declare_series(rows_);
  // Read in place: an istringstream would first copy the state, tens of MB for a long run.
  boost::iostreams::stream<boost::iostreams::array_source> bytes(state.data(), state.size());
  StateReader archive(bytes);
  Simulation::State loop;
  archive(loop.now, loop.events_processed, loop.next_sequence, loop.pending);
  for (uint32_t step = 0; step < scenario_.timeline.size(); ++step) {
    if (scenario_.timeline[step].at < loop.now) on_timeline_change(step);
  }
  run_state(archive);
  std::erase_if(loop.pending,
                [&](const Event& event) { return event.handler == timeline_change_.id(); });
  sim_.restore(loop);
  for (uint32_t step = 0; step < scenario_.timeline.size(); ++step) {
    if (scenario_.timeline[step].at >= loop.now) {
      sim_.schedule_at(scenario_.timeline[step].at, kTimelineChange, timeline_change_.id(), step);
    }
  }
  rows_.replay();
}

}  // namespace gpumarket
