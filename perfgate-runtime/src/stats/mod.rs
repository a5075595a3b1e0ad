//! Statistics: the confidence interval of a run's figures, the comparison of a run with the runs
//! before it, and the trend of a series of runs. Pure functions of numbers; nothing here knows
//! about budgets, verdicts or output.

mod change;
mod compare;
mod complexity;
mod interval;
mod trend;

pub use change::{Change, Estimate, change_between};
pub use compare::{
    Comparison, RegressionSettings, compare, compare_coarsely, compare_exact, run_to_run_spread,
};
pub use complexity::{Basis, allowance, class_cost, class_slope, exceeds, growth};
pub use interval::{Interval, interval_of_means, mean_interval, quantile_interval};
pub use trend::{GrowthModel, Trend, trend};

#[cfg(test)]
mod compare_tests;
#[cfg(test)]
mod synthetic;
