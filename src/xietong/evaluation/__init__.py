"""Remote cross-region evaluation (远程异地评标, R-12): sessions, sites, seats, experts,
investigations of expert conduct and faults; see docs/evaluation.md."""
