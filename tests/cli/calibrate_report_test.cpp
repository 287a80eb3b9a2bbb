// The calibrate command's report: the warning that an evaluation beat the reported best.
#include <gtest/gtest.h>

#include "gpumarket/cli/calibrate_command.hpp"

namespace gpumarket {
namespace {

CalibrateReport report_with_objectives(double best, const std::vector<double>& evaluated) {
  CalibrateReport report;
  CalibrationResult& r = report.result;
  FittedParameter& rate = r.parameters.emplace_back();
  rate.name = "rate";
  rate.upper = 1;
  rate.best = 0.5;
  TargetFit& utilisation = r.targets.emplace_back();
  utilisation.name = "utilisation";
  utilisation.observed = 0.5;
  utilisation.tolerance = 0.1;
  r.scaled_jacobian = {{1.0}};
  r.jacobian = {{0.1}};
  r.objective = best;
  for (size_t k = 0; k < evaluated.size(); ++k) {
    CalibrationEvaluation& e = r.evaluations.emplace_back();
    e.parameters = {0.5};
    e.simulated = {0.5};
    e.objective = evaluated[k];
    e.phase = k == 0 ? "search 0" : "jacobian";
  }
  report.output = "out.h5";
  return report;
}

TEST(CalibrateReport, WarnsWhenAnEvaluationBeatsTheBest) {
  const std::string text = format_calibration(report_with_objectives(2.0, {2.0, 3.0, 1.5}));
  EXPECT_NE(text.find("warning: evaluation 2 (jacobian) has a lower objective, 1.5"),
            std::string::npos)
      << text;
}

TEST(CalibrateReport, QuietWhenTheBestIsTheLowest) {
  const std::string text = format_calibration(report_with_objectives(2.0, {2.0, 3.0, 2.5}));
  EXPECT_EQ(text.find("lower objective"), std::string::npos) << text;
}

}  // namespace
}  // namespace gpumarket
