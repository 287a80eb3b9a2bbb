#include "gpumarket/sweep/sample_statistics.hpp"

#include <boost/math/distributions/students_t.hpp>

namespace gpumarket {

double t_quantile(double confidence, double dof) {
  if (!(dof >= 1)) return std::nan("");
  return boost::math::quantile(boost::math::students_t_distribution<double>(dof),
                               0.5 + confidence / 2);
}

}  // namespace gpumarket
