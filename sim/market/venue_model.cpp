// What every venue kind saves of a run's state: its queue.
#include "venue_model.hpp"

#include "market_state_archive.hpp"

namespace gpumarket {

void VenueModel::save_state(StateWriter& archive) const { archive(queue_); }

void VenueModel::load_state(StateReader& archive) { archive(queue_); }

}  // namespace gpumarket
