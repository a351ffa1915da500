// The shared test helpers (temporary folders removed at exit, …), visible to every file of this target.
@_exported import TestSupport
// The main job's results on the fixture nets, shared with the PlotCairo tests.
@_exported import ExperimentFixtures
