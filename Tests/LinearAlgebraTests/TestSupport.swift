// The shared test helpers (temporary folders removed at exit, …), visible to every file of this target.
@_exported import TestSupport
